"""The API-diff records (``harness.results.api``) indexed by the paths a user's
code reaches them by.

A record's ``path`` is canonical (``mlflow.models.evaluation.validation.MetricThreshold.__init__``)
and its ``public_paths`` are how users import it (``mlflow.models.MetricThreshold``,
``mlflow.MetricThreshold``). A call of a class is a call of its ``__init__``, so keys
drop a trailing ``.__init__``. Members of a class are also indexed by their
name alone, for receivers whose type the resolver does not know (``run.info.run_uuid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from harness.results.api import ApiChange, ApiDiff, ChangeKind
from harness.scan.findings import Severity
from harness.scan.values import is_class_name

INIT = ".__init__"


def key_of(path: str) -> str:
    return path[: -len(INIT)] if path.endswith(INIT) else path


@dataclass(frozen=True, eq=False)
class Entry:
    """One change of one version pair."""

    change: ApiChange
    baseline: str
    candidate: str

    @property
    def severity(self) -> str:
        return Severity.BREAKS if self.change.direction == "upgrade" else Severity.ROLLBACK_BREAKS

    @property
    def version(self) -> str:
        """Where the code breaks: the candidate on upgrade, the baseline on rollback."""
        return self.candidate if self.change.direction == "upgrade" else self.baseline

    @property
    def is_constructor(self) -> bool:
        return self.change.path.endswith(INIT)

    def identity(self) -> tuple:
        c = self.change
        return (c.direction, str(c.kind), key_of(c.path), c.name, self.baseline, self.candidate)

    def record(self) -> dict:
        """The record as JSON data, with its version pair (computed once: a big scan asks often)."""
        cached = self.__dict__.get("_record")
        if cached is None:
            c = self.change
            cached = {name: getattr(c, name) for name in c.__dataclass_fields__}
            cached["kind"] = str(c.kind)
            cached["public_paths"] = list(c.public_paths or ())
            cached["baseline"], cached["candidate"] = self.baseline, self.candidate
            object.__setattr__(self, "_record", cached)
        return dict(cached)


def _member_name(path: str) -> str | None:
    """``C.m`` -> ``m`` when the parent looks like a class; None for module-level objects."""
    parts = key_of(path).split(".")
    if len(parts) >= 2 and is_class_name(parts[-2]):
        return parts[-1]
    return None


def _class_prefix(parts: list[str]) -> int:
    """Index one past the first CamelCase component, or 0."""
    for i, part in enumerate(parts):
        if is_class_name(part):
            return i + 1
    return 0


class ChangeIndex:
    def __init__(self, diffs: Iterable[ApiDiff]):
        self.entries: list[Entry] = []
        self.by_path: dict[str, list[Entry]] = {}
        self.by_member: dict[str, list[Entry]] = {}
        #: public class path -> canonical class path, learned from the records' own public paths
        self.class_aliases: dict[str, str] = {}
        #: any known public path -> the canonical key
        self.canonical: dict[str, str] = {}
        self._cache: dict[str, list[Entry]] = {}
        for diff in diffs:
            for change in diff.changes:
                self._add(Entry(change, diff.baseline, diff.candidate))

    def _add(self, entry: Entry) -> None:
        self.entries.append(entry)
        change = entry.change
        canonical = key_of(change.path)
        public = {key_of(p) for p in change.public_paths or ()}
        # a removed object is reached only by the paths that no longer resolve (a dropped re-export
        # leaves the canonical path working); a changed signature by every path to the function
        keys = public if change.kind == ChangeKind.OBJECT_REMOVED and public else {canonical, *public}
        for key in keys:
            self.by_path.setdefault(key, []).append(entry)
            self.canonical.setdefault(key, canonical)
        member = _member_name(change.path)
        if member and change.user_facing and not entry.is_constructor:
            self.by_member.setdefault(member, []).append(entry)
        canon_parts = canonical.split(".")
        for public in change.public_paths or ():
            parts = key_of(public).split(".")
            cut = _class_prefix(parts)
            if not cut or parts == canon_parts:
                continue
            tail = parts[cut - 1:]
            if canon_parts[-len(tail):] == tail:
                self.class_aliases.setdefault(".".join(parts[:cut]), ".".join(canon_parts[: len(canon_parts) - len(tail) + 1]))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def lookup(self, path: str) -> list[Entry]:
        """Changes to the object at ``path`` (a dotted path as the user's code reached it)."""
        found = self._cache.get(path)
        if found is not None:
            return found
        found = self.by_path.get(path)
        if found is None:
            found = []
            parts = path.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                alias = self.class_aliases.get(".".join(parts[:cut]))
                if alias is not None:
                    found = self.by_path.get(".".join([alias, *parts[cut:]]), [])
                    break
        self._cache[path] = found
        return found

    def canonical_key(self, path: str) -> str:
        """The canonical path for ``path`` when a record names it, else ``path`` unchanged."""
        known = self.canonical.get(path)
        if known is not None:
            return known
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            alias = self.class_aliases.get(".".join(parts[:cut]))
            if alias is not None:
                return ".".join([alias, *parts[cut:]])
        return path

    def members(self, name: str) -> list[Entry]:
        return self.by_member.get(name, [])

    def rollback_removes(self, path: str, parameter: str) -> list[Entry]:
        """Rollback-direction records saying ``parameter`` of ``path`` does not exist on the baseline."""
        return [
            e for e in self.lookup(path)
            if e.change.direction == "rollback" and e.change.name == parameter
            and e.change.kind in (ChangeKind.PARAMETER_REMOVED, ChangeKind.PARAMETER_RENAMED)
        ]
