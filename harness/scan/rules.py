"""Matching API-diff records to the uses the resolver found: which call site,
keyword, positional argument, import or attribute a change affects.

Confidence is ``high`` when the callee or receiver resolved to an mlflow
object through imports, ``low`` when only a member name matched on a receiver
of unknown type (only in files that import mlflow, and only against
user-facing upgrade-direction records). Positional arguments are checked only at high
confidence: binding them needs the callee to be known.

Parameter positions are argument positions at the call site, 0-based, a
method's ``self``/``cls`` not counted (``harness.results.api``): ``old``/``new``
of ``parameter_moved``, ``"position N"`` in ``new`` of
``required_parameter_added``, or ``from 6 to 5`` in a record's message. A call
of a method through its class (``Cls.method(obj, ...)``) passes ``self``
explicitly, so its positions are not checked.

Positional findings in the rollback direction are low confidence: a record
of that direction assumes code written for the candidate's signature, and a
positional call does not say which signature it was written for.

A removed parameter that the new signature still accepts through
``**kwargs`` (``absorbed``) raises nothing at the call: reported with low
confidence, since whether the value still has an effect is not known.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from harness.results.api import ChangeKind
from harness.scan.changes import ChangeIndex, Entry
from harness.scan.findings import Confidence
from harness.scan.values import BOUND, CALL, DIRECT, IMPORT, MEMBER_USE, REF, UNTYPED, Resolution, Use, is_class_name

#: "moved from position 6 to 5" in a record's message; "position 3" in a value (data from the diff file, not source text)
_POSITIONS = re.compile(r"from (?:position )?(\d+) to (\d+)")
_POSITION = re.compile(r"^position (\d+)$")
PARAMETER_KINDS = (
    ChangeKind.PARAMETER_REMOVED,
    ChangeKind.PARAMETER_RENAMED,
    ChangeKind.PARAMETER_MOVED,
    ChangeKind.REQUIRED_PARAMETER_ADDED,
    ChangeKind.KIND_CHANGED,
)


@dataclass
class Match:
    """A use affected by one change (or, with ``entry`` None, by an observed deprecation)."""

    code: str
    node: ast.AST  # where to point: a keyword, an argument, an attribute
    use: Use
    entry: Entry | None
    confidence: str
    name: str | None
    message: str
    #: the attribute (not the chain start) is the place: report at ``node``'s end minus this length
    attr: str | None = None
    #: for an observed deprecation (code MLC010): the ``harness.scan.deprecations.Tie`` behind it
    tie: object | None = None


def _int(text: object) -> int | None:
    if text is None:
        return None
    text = str(text).strip()
    found = _POSITION.match(text)
    if found:
        return int(found.group(1))
    return int(text) if text.isdigit() else None


def positions(entry: Entry) -> tuple[int | None, int | None]:
    change = entry.change
    old, new = _int(change.old), _int(change.new)
    if old is None and new is None:
        found = _POSITIONS.search(change.message or "")
        if found:
            return int(found.group(1)), int(found.group(2))
    return old, new


def _unbound_method(use: Use, entry: Entry) -> bool:
    """``Cls.method(obj, ...)``: ``self`` is passed explicitly, shifting every position."""
    if use.via != DIRECT or entry.is_constructor:
        return False
    parts = use.path.split(".")
    return len(parts) >= 2 and is_class_name(parts[-2])


def _positional(call: ast.Call) -> list[ast.expr] | None:
    """Positional arguments before any ``*args`` (None when a star comes first: binding unknown)."""
    args = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            return args or None
        args.append(arg)
    return args


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword
    return None


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def call_matches(use: Use, entries: list[Entry], confidence: str) -> list[Match]:
    call = use.call
    assert call is not None
    found = []
    api = use.path
    for entry in entries:
        change = entry.change
        if change.kind not in PARAMETER_KINDS or not change.name:
            continue
        name = change.name
        keyword = _keyword(call, name)
        kind = change.kind
        if kind in (ChangeKind.PARAMETER_REMOVED, ChangeKind.PARAMETER_RENAMED) and keyword is not None:
            renamed = kind == ChangeKind.PARAMETER_RENAMED and change.new
            if getattr(change, "absorbed", False):
                found.append(Match("MLC001", keyword, use, entry, Confidence.LOW, name,
                                   f"`{name}=` is no longer a parameter of `{api}` (still accepted through "
                                   f"**kwargs: no error, but it may have no effect)"))
                continue
            found.append(Match(
                "MLC002" if renamed else "MLC001", keyword, use, entry, confidence, name,
                f"`{name}=` of `{api}` was renamed to `{change.new}=`" if renamed
                else f"`{name}=` is not a parameter of `{api}`",
            ))
        elif kind == ChangeKind.PARAMETER_MOVED and confidence == Confidence.HIGH and not _unbound_method(use, entry):
            old, new = positions(entry)
            args = _positional(call)
            if old is None or args is None:
                continue
            index = old
            if 0 <= index < len(args):
                where = f"is argument {new + 1}" if new is not None else "moved"
                # a rollback record assumes the call was written for the candidate's signature; a
                # positional call alone does not say which signature it was written for
                level = confidence if change.direction == "upgrade" else Confidence.LOW
                found.append(Match(
                    "MLC003", args[index], use, entry, level, name,
                    f"positional argument {index + 1} of `{api}` (`{name}`) binds to another parameter: "
                    f"`{name}` {where}",
                ))
        elif kind == ChangeKind.REQUIRED_PARAMETER_ADDED and keyword is None and not _has_star_kwargs(call):
            args = _positional(call)
            if args is None:
                continue
            _, new = positions(entry)
            if new is not None and use.via != UNTYPED and not _unbound_method(use, entry):
                if len(args) > new:
                    continue
                level = confidence
            else:
                level = Confidence.LOW if args else confidence
            found.append(Match("MLC006", call.func, use, entry, level, name,
                               f"`{api}` now requires `{name}`, which this call does not pass"))
        elif kind == ChangeKind.KIND_CHANGED and keyword is not None:
            new_kind = str(change.new or "").replace("-", "_").replace(" ", "_").lower()
            if "positional_only" in new_kind:
                found.append(Match("MLC007", keyword, use, entry, confidence, name,
                                   f"`{name}` of `{api}` became positional-only; it cannot be passed by keyword"))
        elif kind == ChangeKind.KIND_CHANGED and keyword is None and use.via != UNTYPED:
            new_kind = str(change.new or "").replace("-", "_").replace(" ", "_").lower()
            old, _ = positions(entry)
            args = _positional(call)
            if "keyword_only" in new_kind and old is not None and args is not None and not _unbound_method(use, entry):
                index = old
                if 0 <= index < len(args):
                    found.append(Match("MLC007", args[index], use, entry, confidence, name,
                                       f"`{name}` of `{api}` became keyword-only; pass it as `{name}=`"))
    # a call that an upgrade record shows was written for the baseline's signature is not also
    # "written for the candidate's": drop the rollback guesses about its positions
    if any(m.code == "MLC003" and m.entry.change.direction == "upgrade" for m in found):
        found = [m for m in found if not (m.code == "MLC003" and m.entry.change.direction == "rollback")]
    return found


def _removed(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.change.kind == ChangeKind.OBJECT_REMOVED]


def _upgrade(entries: list[Entry]) -> list[Entry]:
    """Matching by member name alone: upgrade records only. A rollback record's member is new in
    the candidate, and its name is often an old member of another class (``Metric.run_id`` is
    new in 3.x; ``RunInfo.run_id`` is not): on a receiver of unknown type that is noise."""
    return [e for e in entries if e.change.direction == "upgrade"]


def match_uses(resolution: Resolution, index: ChangeIndex) -> list[Match]:
    """Every (use, change) pair: removed objects once per attribute chain, parameters per call."""
    found: list[Match] = []
    reported: set[tuple] = set()
    for use in resolution.uses:
        kind = use.kind
        if kind in (IMPORT, REF):
            removed = _removed(index.lookup(use.path))
            for entry in removed:
                if (use.chain, entry.version) in reported:
                    continue
                reported.add((use.chain, entry.version))
                member = use.via == BOUND
                found.append(Match(
                    "MLC005" if member else "MLC004", use.node, use, entry, Confidence.HIGH,
                    use.path.rsplit(".", 1)[-1],
                    f"`{use.path}` was removed" if not member
                    else f"`{use.path.rsplit('.', 1)[-1]}` is no longer an attribute of `{use.path.rsplit('.', 1)[0]}`",
                    attr=use.path.rsplit(".", 1)[-1] if kind == REF else None,
                ))
        elif kind == MEMBER_USE:
            if not resolution.imports_mlflow:
                continue
            for entry in _upgrade(_removed(index.members(use.path))):
                if (use.chain, entry.version) in reported:
                    continue
                reported.add((use.chain, entry.version))
                owner = entry.change.path.rsplit(".", 1)[0].rsplit(".", 1)[-1]
                found.append(Match(
                    "MLC005", use.node, use, entry, Confidence.LOW, use.path,
                    f"`.{use.path}` was removed from `{owner}` (if this object is one: its type is not known here)",
                    attr=use.path,
                ))
        elif kind == CALL:
            if use.via == UNTYPED:
                if resolution.imports_mlflow:
                    found.extend(call_matches(use, _upgrade(index.members(use.path)), Confidence.LOW))
            else:
                found.extend(call_matches(use, index.lookup(use.path), Confidence.HIGH))
    return found
