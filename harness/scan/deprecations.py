"""Deprecations observed on a candidate, tied to the API a scenario called, and
the user's call sites of that API.

The observed source is the run files: each cell keeps the warnings raised
while its scenario ran. A deprecation warning (``analysis.deprecations.is_deprecation``)
raised while scenario S ran on version V is tied to one API S's own body
uses when the message names it:

* among S's *resolved* uses (keywords it passes to mlflow functions, the
  functions and classes it calls, the attributes it reads), the one the
  message mentions first; MLflow's messages name the deprecated thing first
  ("`artifact_path` is deprecated. Please use `name` instead.");
* a mention followed by ``.name`` is a qualifier (``MlflowClient.transition_...``),
  not the subject; when the first mention is a function or class and the
  message also names a keyword the scenario passed to it, the keyword is the
  subject (``MetricThreshold: higher_is_better is deprecated``);
* a keyword tie is dropped when a scenario that calls the same function
  *without* that keyword (and with no more positional arguments, which could
  pass the same parameter) raised the same message on V: the keyword is then
  not what triggers it;
* warnings the user's code cannot act on (``analysis.deprecations.actionable``:
  raised inside a library, or by MLflow on its own behalf) and
  uses on receivers of unknown type are never tied (a member name is too
  weak to pin a warning on).

A warning that names none of S's APIs is not tied: no ``deprecated`` finding
is invented for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from harness.analysis.deprecations import actionable, is_deprecation, message_key
from harness.scan.changes import ChangeIndex
from harness.scan.evidence import Evidence, ScenarioUses
from harness.scan.findings import Confidence
from harness.scan.values import CALL, REF, UNTYPED, Resolution, is_class_name
from harness.scan.rules import Match

KEYWORD = "keyword"
OBJECT = "object"


@dataclass(frozen=True)
class Tie:
    kind: str  # KEYWORD or OBJECT
    key: str  # dep_key() of the function, class or attribute
    keyword: str | None
    version: str
    scenario: str
    category: str
    message: str

    def evidence(self) -> str:
        return f"{self.scenario} on {self.version} raised {self.category}: {_first_line(self.message)}"


def _first_line(text: str, limit: int = 140) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def dep_key(path: str, index: ChangeIndex) -> str:
    """One key for the paths to one API: ``Class.member`` for members, the canonical path for a
    class, and the path as called for a function: MLflow deprecates a function under one name
    while another name of the same code is the replacement (3.x deprecates ``mlflow.evaluate``
    in favour of ``mlflow.models.evaluate``)."""
    parts = index.canonical_key(path).split(".")
    if len(parts) >= 2 and is_class_name(parts[-2]):
        return ".".join(parts[-2:])
    if is_class_name(parts[-1]):
        return ".".join(parts)
    return path


def _targets(resolution: Resolution, index: ChangeIndex) -> dict[str, set[tuple[str, str, str | None]]]:
    """identifier -> what naming it in a message would mean (resolved uses only)."""
    targets: dict[str, set[tuple[str, str, str | None]]] = {}
    for use in resolution.uses:
        if use.via == UNTYPED or use.kind not in (CALL, REF):
            continue
        key = dep_key(use.path, index)
        targets.setdefault(use.path.rsplit(".", 1)[-1], set()).add((OBJECT, key, None))
        call = use.call if use.kind == CALL else None
        for keyword in call.keywords if call is not None else ():
            if keyword.arg:
                targets.setdefault(keyword.arg, set()).add((KEYWORD, key, keyword.arg))
    return targets


def mentions(message: str, identifiers: Iterable[str]) -> list[str]:
    """The identifiers ``message`` names as a subject (not as ``ident.qualifier``), first mention first."""
    found = []
    for ident in identifiers:
        hit = re.search(rf"(?<![\w]){re.escape(ident)}(?![\w]|\.\w)", message)
        if hit is not None:
            found.append((hit.start(), ident))
    return [ident for _, ident in sorted(found)]


def subject(message: str, targets: dict[str, set[tuple[str, str, str | None]]]) -> set[tuple[str, str, str | None]]:
    """What a deprecation message is about, among a scenario's targets (empty when it names none)."""
    named = mentions(message, targets)
    if not named:
        return set()
    first = targets[named[0]]
    keys = {key for kind, key, _ in first if kind == OBJECT}
    keywords = {t for ident in named[1:] for t in targets[ident] if t[0] == KEYWORD and t[1] in keys}
    return keywords or set(first)


def _calls(resolution: Resolution, key: str, index: ChangeIndex) -> list:
    return [use.call for use in resolution.uses
            if use.kind == CALL and use.via != UNTYPED and dep_key(use.path, index) == key]


def _explained_elsewhere(tie: Tie, scenarios: list[ScenarioUses], messages: dict, index: ChangeIndex) -> bool:
    """Another scenario raised the same message calling the same function without the keyword."""
    own = next(s for s in scenarios if s.id == tie.scenario)
    tied_calls = [c for c in _calls(own.resolution, tie.key, index) if any(k.arg == tie.keyword for k in c.keywords)]
    most = max((len(c.args) for c in tied_calls), default=0)
    for other in scenarios:
        if other.id == tie.scenario or message_key(tie.message) not in messages.get((tie.version, other.id), set()):
            continue
        for call in _calls(other.resolution, tie.key, index):
            if all(k.arg != tie.keyword for k in call.keywords) and len(call.args) <= most:
                return True
    return False


def observed_ties(scenarios: list[ScenarioUses], evidence: Evidence, versions: Iterable[str], index: ChangeIndex) -> list[Tie]:
    ties: list[Tie] = []
    messages: dict[tuple[str, str], set[str]] = {}  # (version, scenario) -> deprecation message keys
    for version in versions:
        for scenario in scenarios:
            cell = evidence.cell(version, scenario.id)
            if cell is None:
                continue
            warnings = [w for w in cell.warnings
                        if is_deprecation(w) and actionable(w)]
            messages[(version, scenario.id)] = {message_key(str(w.get("message", ""))) for w in warnings}
            if not warnings:
                continue
            targets = _targets(scenario.resolution, index)
            for warning in warnings:
                message = str(warning.get("message", ""))
                for kind, key, keyword in sorted(subject(message, targets), key=str):
                    ties.append(Tie(kind, key, keyword, version, scenario.id, str(warning.get("category", "")), message))
    return [t for t in ties if t.kind != KEYWORD or not _explained_elsewhere(t, scenarios, messages, index)]


class DeprecationIndex:
    def __init__(self, ties: Iterable[Tie]):
        self.by_target: dict[tuple[str, str, str | None], list[Tie]] = {}
        for tie in ties:
            self.by_target.setdefault((tie.kind, tie.key, tie.keyword), []).append(tie)

    def __bool__(self) -> bool:
        return bool(self.by_target)


def match_deprecations(resolution: Resolution, ties: DeprecationIndex, index: ChangeIndex) -> list[Match]:
    """The user's resolved uses of APIs tied to an observed deprecation (code MLC010)."""
    found: list[Match] = []
    if not ties:
        return found
    seen: set[tuple] = set()
    for use in resolution.uses:
        if use.via == UNTYPED or use.kind not in (CALL, REF):
            continue
        key = dep_key(use.path, index)
        for tie in ties.by_target.get((OBJECT, key, None), ()):
            if (use.chain, tie.version, tie.scenario) in seen:
                continue
            seen.add((use.chain, tie.version, tie.scenario))
            found.append(Match("MLC010", use.node, use, None, Confidence.HIGH, None,
                               f"`{use.path}` is deprecated", attr=use.path.rsplit(".", 1)[-1]
                               if use.kind == REF else None, tie=tie))
        call = use.call if use.kind == CALL else None
        for keyword in call.keywords if call is not None else ():
            for tie in ties.by_target.get((KEYWORD, key, keyword.arg), ()):
                found.append(Match("MLC010", keyword, use, None, Confidence.HIGH, keyword.arg,
                                   f"`{keyword.arg}=` of `{use.path}` is deprecated", tie=tie))
    return found
