"""The breaking changes between two releases, in one direction, as ``ApiChange`` records.

Walks the *old* release's public surface (``Release.paths``: every module and
module-level object with every public path that reaches it) and asks of each:

* do its paths still resolve in the new release? Paths that do not are one
  ``object_removed`` record (``new``: a path that still reaches the object,
  when one does, e.g. a re-export dropped while the defining module stays).
  Objects inside a removed module are covered by the module's record;
* is it still the same kind of thing (module, class, function)?
* for a function, and for each public method and the constructor of a
  class: does a call written for the old signature still bind
  (``harness.api.signature``)? Class attributes and properties that are gone
  are ``object_removed`` on the class member.

Each canonical object is compared once, however many paths reach it, and
every record carries those paths (``public_paths``) so a scan of user code
can match the name the user wrote. The public-surface policy marks records
``user_facing``; nothing is dropped.
"""

from __future__ import annotations

from typing import Any, Iterable

from harness.api.release import Release, final, is_private, kind_of, location
from harness.api.signature import ParamChange, Signature, compare, effective_signature
from harness.api.surface import Surface
from harness.results.api import ApiChange, ChangeKind

#: class members compared besides public names: the constructor
CALLABLE_DUNDERS = frozenset(("__init__", "__call__"))
#: kinds one may replace by the other without breaking ``obj.name`` access
_ACCESSED = frozenset(("attribute", "property"))


class _Walk:
    def __init__(self, old: Release, new: Release, surface: Surface, direction: str) -> None:
        self.old, self.new, self.surface, self.direction = old, new, surface, direction
        self.changes: list[ApiChange] = []
        self.seen: set[tuple[str, str]] = set()

    # -- records --------------------------------------------------------------

    def record(
        self, kind: ChangeKind, path: str, public_paths: Iterable[str], obj: Any, *,
        name: str | None = None, old: str | None = None, new: str | None = None,
        message: str, absorbed: bool = False, via: str | None = None, position: int | None = None,
    ) -> None:
        paths = sorted(dict.fromkeys(public_paths), key=lambda p: (p.count("."), p))
        file, line = location(obj)
        self.changes.append(ApiChange(
            kind=kind, direction=self.direction, path=path, name=name, old=old, new=new,
            file=file, line=line, public_paths=paths, user_facing=self.user_facing(paths),
            message=message, object_kind=kind_of(final(obj) or obj), absorbed=absorbed, via=via, position=position,
        ))

    def user_facing(self, paths: list[str]) -> bool:
        public = [p for p in paths if not any(is_private(part) for part in p.split("."))]
        return self.surface.user_facing(self.old.anchor(p) for p in public)

    # -- the walk -------------------------------------------------------------

    def run(self) -> list[ApiChange]:
        index = self.old.paths
        gone_modules = {
            path for canonical, paths in index.items()
            if (obj := self.old.resolve(canonical)) is not None and obj.is_module
            for path in paths if not self.new.exists(path)
        }
        for canonical in sorted(index):
            obj = self.old.resolve(canonical)
            if obj is None:
                continue
            paths = index[canonical]
            missing = [p for p in paths if not self.new.exists(p)]
            reported = [p for p in missing if not _inside(p, gone_modules)]
            surviving = [p for p in paths if p not in missing]
            # the canonical path is always listed (importable, if private), but only
            # public paths decide what was removed
            with_canonical = paths if canonical in paths else [*paths, canonical]
            if reported:
                if not surviving and canonical not in paths and not self.new.exists(canonical):
                    reported.append(canonical)
                self.removed(canonical, obj, reported, surviving)
            # the paths that survive may reach different objects in the new release (3.x's
            # ``mlflow.evaluate`` is a wrapper, ``mlflow.models.evaluate`` the function): each is
            # compared, its changes listing the paths that reach it
            reachable = [p for p in with_canonical if p in surviving or (p == canonical and self.new.exists(p))]
            for target, reach in self.targets(reachable).items():
                self.compare(obj, target, canonical, reach)
        return merge(self.changes)

    def targets(self, surviving: list[str]) -> dict[Any, list[str]]:
        found: dict[str, tuple[Any, list[str]]] = {}
        for path in surviving:
            target = self.new.resolve(path)
            if target is not None:
                found.setdefault(target.path, (target, []))[1].append(path)
        return {target: paths for target, paths in found.values()}

    def removed(self, canonical: str, obj: Any, reported: list[str], surviving: list[str]) -> None:
        path = canonical if canonical in reported else reported[0]
        kind = kind_of(obj)
        still = f"; still reachable as {surviving[0]}" if surviving else ""
        source = obj if path == canonical else self.old.get(path) or obj
        self.record(
            ChangeKind.OBJECT_REMOVED, path, reported, source, new=surviving[0] if surviving else None,
            message=f"{kind} {_shortest(reported)} was removed{still}",
        )

    def compare(self, old: Any, new: Any, path: str, public_paths: list[str]) -> None:
        if (old.path, new.path) in self.seen:
            return
        self.seen.add((old.path, new.path))
        old_kind, new_kind = kind_of(old), kind_of(new)
        if old_kind != new_kind and _kind_breaks(old_kind, new_kind, member=False):
            self.record(
                ChangeKind.KIND_CHANGED, path, public_paths, old, old=old_kind, new=new_kind,
                message=f"{_shortest(public_paths)} was a {old_kind}, is now a {new_kind}",
            )
            return
        if old.is_class and new.is_class:
            self.compare_class(old, new, path, public_paths)
        elif old.is_function and new.is_function:
            self.compare_function(old, new, path, public_paths, public_paths)

    def compare_class(self, old: Any, new: Any, path: str, public_paths: list[str]) -> None:
        new_members = _members(new)
        for name, member in _members(old).items():
            if is_private(name) or (name.startswith("__") and name not in CALLABLE_DUNDERS):
                continue
            # an inherited member is recorded at the base class's definition, so the records of
            # every class that inherits it merge into one with all their paths
            member_path = (final(member) or member).path if getattr(member, "inherited", False) else f"{path}.{name}"
            member_paths = [f"{p}.{name}" for p in public_paths]
            counterpart = new_members.get(name)
            if counterpart is None:
                if name not in CALLABLE_DUNDERS:  # a constructor may come from a base outside the package
                    self.record(
                        ChangeKind.OBJECT_REMOVED, member_path, member_paths, member,
                        message=f"{kind_of(final(member) or member)} {_shortest(member_paths)} was removed",
                    )
                continue
            old_member, new_member = final(member), final(counterpart)
            if old_member is None or new_member is None:
                continue
            old_kind, new_kind = kind_of(old_member), kind_of(new_member)
            if old_kind != new_kind and _kind_breaks(old_kind, new_kind, member=True):
                self.record(
                    ChangeKind.KIND_CHANGED, member_path, member_paths, member, old=old_kind, new=new_kind,
                    message=f"{_shortest(member_paths)} was a {old_kind}, is now a {new_kind}",
                )
            elif old_member.is_class and new_member.is_class:
                if (old_member.path, new_member.path) not in self.seen:
                    self.seen.add((old_member.path, new_member.path))
                    self.compare_class(old_member, new_member, member_path, member_paths)
            elif old_member.is_function and new_member.is_function:
                # calling the class calls __init__: users reach it by the class's own paths
                callers = public_paths if name == "__init__" else member_paths
                self.compare_function(old_member, new_member, member_path, callers, member_paths)

    def compare_function(
        self, old: Any, new: Any, path: str, callers: list[str], own_paths: list[str]
    ) -> None:
        old_sig = effective_signature(old, self.old.resolve)
        new_sig = effective_signature(new, self.new.resolve)
        changes = compare(old_sig, new_sig, self._value(self.old), self._value(self.new))
        display = _shortest(callers) or path
        for change in changes:
            self.record(
                change.kind, path, callers, old_sig.function, name=change.name, old=change.old, new=change.new,
                message=_explain(display, change, old_sig, new_sig), absorbed=change.absorbed,
                via=new_sig.via or old_sig.via, position=change.position,
            )

    @staticmethod
    def _value(release: Release):
        """A parameter's default as compared: the value a default *name* is bound to in ``release``."""

        def value(param: Any) -> str:
            default = param.default
            path = getattr(default, "canonical_path", None)
            if isinstance(path, str) and path.startswith("mlflow."):
                bound = release.resolve(path)
                if bound is not None and bound.is_attribute and bound.value is not None:
                    return str(bound.value)
            return str(default)

        return value


def diff_direction(old: Release, new: Release, surface: Surface, direction: str) -> list[ApiChange]:
    """Every breaking change for code written against ``old`` that runs against ``new``."""
    return _Walk(old, new, surface, direction).run()


def merge(changes: list[ApiChange]) -> list[ApiChange]:
    """One record per change: the same change reached through several new objects (a wrapper
    and the function it wraps) is one record with the union of their paths."""
    merged: dict[tuple, ApiChange] = {}
    for change in changes:
        key = (change.kind, change.path, change.name, change.old, change.new, change.absorbed)
        kept = merged.get(key)
        if kept is None:
            merged[key] = change
            continue
        kept.public_paths = sorted(set(kept.public_paths) | set(change.public_paths), key=lambda p: (p.count("."), p))
        kept.user_facing = kept.user_facing or change.user_facing
        if kept.via is None and change.via is not None:
            kept.via, kept.message = change.via, change.message
    return list(merged.values())


def _members(cls: Any) -> dict[str, Any]:
    try:
        return dict(cls.all_members)
    except Exception:  # noqa: BLE001 - unresolvable bases: declared members only
        return dict(cls.members)


def _shortest(paths: Iterable[str]) -> str | None:
    """The path a user most likely wrote: the shortest public one."""
    public = [p for p in paths if not any(is_private(part) for part in p.split("."))] or list(paths)
    return min(public, key=lambda p: (p.count("."), p), default=None)


def _inside(path: str, modules: set[str]) -> bool:
    parts = path.split(".")
    return any(".".join(parts[:end]) in modules for end in range(1, len(parts)))


def _kind_breaks(old: str, new: str, *, member: bool) -> bool:
    """Kind changes that break code written for the old kind.

    Module <-> anything, and class <-> function (subclassing, ``isinstance``),
    always. An attribute that becomes a function is only known to break on a
    class (``obj.x`` now gives a bound method); at module level ``x = f`` makes
    a callable "attribute", so function <-> attribute there is not reported.
    """
    if old in _ACCESSED and new in _ACCESSED:
        return False
    if "module" in (old, new):
        return True
    if {old, new} == {"class", "function"}:
        return True
    return member


def _explain(display: str, change: ParamChange, old: Signature, new: Signature) -> str:
    name = change.name
    removed = f"parameter {name} was removed"
    if change.kind is ChangeKind.PARAMETER_REMOVED and (change.old or "").startswith("*"):
        removed = f"{change.old} was removed (extra {'keyword' if change.old.startswith('**') else 'positional'} arguments are rejected)"
    text = {
        ChangeKind.PARAMETER_REMOVED: removed,
        ChangeKind.PARAMETER_RENAMED: f"parameter {change.old} was renamed to {change.new}",
        ChangeKind.PARAMETER_MOVED: f"positional parameter {name} moved from position {change.old} to {change.new}",
        ChangeKind.REQUIRED_PARAMETER_ADDED: (
            f"parameter {name} is now required" if change.new == "required" else f"required parameter {name} was added"
        ),
        ChangeKind.DEFAULT_CHANGED: f"default of {name} changed from {change.old} to {change.new}",
        ChangeKind.KIND_CHANGED: f"parameter {name} changed from {change.old} to {change.new}",
    }[change.kind]
    if change.absorbed:
        text += " (still accepted by **kwargs, no longer declared)"
    via = new.via or old.via
    if via:
        text += f" (signature of the functools.wraps target {via})"
    return f"{display}: {text}"
