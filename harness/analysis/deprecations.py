"""What a deprecation is, whether the user's code can act on it, when two are
the same, and how they group for guidance.

A deprecation is a warning of a deprecation category (or one whose message
says "deprecat"). The runner records where each warning came from (issue
#14): ``origin`` is the code that raised it (``scenario``, ``mlflow`` or
``library:<distribution>``) and ``chain`` the origins of the stack from the
scenario inwards, consecutive repeats merged (``["scenario", "mlflow",
"library:sqlalchemy"]``). A deprecation is *actionable* (it can become a
``newly_warns`` verdict and guidance) when the scenario's own code raised it,
or MLflow raised it on a call the scenario made into MLflow directly; one a
library raised inside MLflow (SQLAlchemy's ``LegacyAPIWarning`` under the
store, pandas' ``Pandas4Warning`` under evaluation) is shown, never judged.
Run files written before origins were recorded have no ``origin``: their
deprecations count as they always did.

Two deprecations are the same when they deprecate the same thing: same
category, same origin, and the same API named in the message (the first
backticked name: ``mlflow...MlflowClient.transition_model_version_stage``),
else the same message with volatile parts (ids, uuids, addresses, temp paths,
URLs) blanked. So a docs URL that moved between releases, or a run id, never
makes a deprecation "new", and an A/A comparison stays ``same``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.analysis.text import first_line, shortlist
from harness.results.runs import ScenarioResult

DEPRECATION_CATEGORIES = ("DeprecationWarning", "FutureWarning", "PendingDeprecationWarning")


def is_deprecation(warning: dict[str, Any]) -> bool:
    category = str(warning.get("category", ""))
    message = str(warning.get("message", "")).lower()
    return category in DEPRECATION_CATEGORIES or "deprecat" in message


SCENARIO, MLFLOW, UNKNOWN = "scenario", "mlflow", "unknown"
#: the first name a message quotes in backticks (``mlflow.evaluate``, `artifact_path`)
_NAMED_API = re.compile(r"``?([A-Za-z_][\w.]*)(?:\(\))?``?")

_VOLATILE = (
    (re.compile(r"https?://\S+"), "<url>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\b0x[0-9a-f]{6,16}\b"), "<addr>"),
    (re.compile(r"/tmp/[^\s'\"]+"), "<tmp>"),
)


def message_key(message: str) -> str:
    """A warning message with run ids, uuids, addresses and temp paths blanked.

    Two runs of the same code raise the same warning with a different run id
    in it; comparing raw messages would call that a new deprecation.
    """
    text = str(message)
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def origin(warning: dict[str, Any]) -> str:
    """Who raised it: ``scenario``, ``mlflow``, ``library:<name>``, or ``unknown`` (older run files)."""
    return str(warning.get("origin") or UNKNOWN)


def actionable(warning: dict[str, Any]) -> bool:
    """Can the user's code act on this warning (see the module docstring)?"""
    raised_by = origin(warning)
    if raised_by in (SCENARIO, UNKNOWN):
        return True
    if raised_by == MLFLOW:
        chain = list(warning.get("chain") or [])
        # the scenario called into MLflow and MLflow warned, no library in between
        return not chain or chain[-2:] == [SCENARIO, MLFLOW]
    return False


def deprecated_api(message: str) -> str | None:
    """The API a deprecation message names (its first backticked name), or None."""
    found = _NAMED_API.search(str(message))
    return found.group(1) if found else None


def deprecation_key(warning: dict[str, Any]) -> tuple[str, str, str]:
    """(category, origin, what it deprecates): equal keys are the same deprecation."""
    message = str(warning.get("message", ""))
    return (str(warning.get("category", "")), origin(warning), deprecated_api(message) or message_key(message))


def deprecations(result: ScenarioResult) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The deprecations of one cell the user's code can act on, by :func:`deprecation_key`."""
    return {deprecation_key(w): w for w in result.warnings if is_deprecation(w) and actionable(w)}


def library_warnings(result: ScenarioResult) -> list[dict[str, Any]]:
    """The warnings of one cell the user's code cannot act on (raised inside a library, or
    inside MLflow on MLflow's own behalf): shown in the cell and the report, never a verdict."""
    return [w for w in result.warnings if not actionable(w)]


@dataclass
class DeprecationGroup:
    """One deprecation seen on the candidates, with the versions and scenarios that raised it."""

    category: str
    message: str
    scenarios: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    on_baseline: bool = False
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deprecation_groups(matrix) -> list[DeprecationGroup]:
    """Deprecations seen on the candidates grouped by key: new since the baseline first."""
    groups: dict[tuple[str, str, str], DeprecationGroup] = {}
    baseline_keys: set[tuple[str, str, str]] = set()
    if matrix.baseline is not None:
        for cell in matrix.baseline.scenarios:
            baseline_keys.update(deprecations(cell))
    for run in matrix.candidates:
        for cell in run.scenarios:
            for key, warning in deprecations(cell).items():
                group = groups.setdefault(key, DeprecationGroup(
                    category=key[0], message=str(warning.get("message", "")), on_baseline=key in baseline_keys,
                ))
                if cell.id not in group.scenarios:
                    group.scenarios.append(cell.id)
                if run.mlflow_version not in group.versions:
                    group.versions.append(run.mlflow_version)
    out = sorted(groups.values(), key=lambda g: (g.on_baseline, -len(g.scenarios), g.message))
    for g in out:
        scen = shortlist(g.scenarios, 5)
        seen = "also on the baseline" if g.on_baseline else "new since the baseline"
        g.summary = f"{g.category}: {first_line(g.message, 160)} [{', '.join(g.versions)}; {seen}; raised by {scen}]"
    return out


@dataclass
class LibraryWarningGroup:
    """Warnings raised where the user's code cannot act (inside a library, or MLflow's internals):
    listed once in the report, never a verdict."""

    origin: str
    category: str
    message: str
    versions: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def library_warning_groups(matrix) -> list[LibraryWarningGroup]:
    """Every version's library-internal warnings, grouped by origin, category and what they say."""
    groups: dict[tuple[str, str, str], LibraryWarningGroup] = {}
    for run in matrix.installed:
        for cell in run.scenarios:
            for w in library_warnings(cell):
                category, raised_by, what = deprecation_key(w)
                group = groups.setdefault((raised_by, category, what), LibraryWarningGroup(
                    origin=raised_by, category=category, message=str(w.get("message", ""))))
                if run.mlflow_version not in group.versions:
                    group.versions.append(run.mlflow_version)
                if cell.id not in group.scenarios:
                    group.scenarios.append(cell.id)
    out = sorted(groups.values(), key=lambda g: (g.origin, -len(g.scenarios), g.message))
    for g in out:
        scen = shortlist(g.scenarios, 5)
        g.summary = (f"{g.origin}: {g.category}: {first_line(g.message, 160)} "
                     f"[{', '.join(g.versions)}; under {scen}]")
    return out
