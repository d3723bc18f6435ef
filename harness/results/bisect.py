"""The bisect result file (``results/bisect/<baseline>__<candidate>.json``): schema, load, save.

Produced by ``harness.bisect`` (``python -m harness bisect`` / ``nox -s
bisect``), which runs only the scenarios of each change between a baseline and
a candidate run in environments of the final releases between them. One file
per pair; one :class:`ChangeHistory` per change, holding every cell observed
for it (never only the boundary) so a reader can show a release strip, the
"since" of a change and every flip of a history that is not monotonic.

A cell's ``state`` says whether that release *has the change*:

* ``with``: like the candidate (the candidate's status class; the candidate's
  new deprecation present; the candidate's observation value);
* ``without``: like the baseline;
* ``other``: neither (a third status, a third value, or the scenario ended
  another way so the tracked thing could not be seen). An ``other`` cell makes
  the history non-monotonic: it is reported as seen, never forced to a side.

``first_with`` is the first release of the trailing run of ``with`` cells (the
candidate ends it), ``last_without`` the last release of the leading run of
``without`` cells (the baseline starts it). They bound the change exactly when
``exact`` is true: the history is monotonic and every release between them was
tested or could not be installed (``between`` lists those, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.errors import ResultsError
from harness.outcomes import Status, Verdict
from harness.results.files import check_header, json_files, load_each, read_json, save_checked

SCHEMA_VERSION = 1
KIND = "mlflow-compat-bisect"
#: what a cell of a change is, against the two ends
STATES = ("with", "without", "other")
#: how the tracked thing is read from a cell
TRACKED = ("status", "deprecation", "observation")
#: the verdicts that are bisected (timing verdicts are noise-prone and are not)
BISECTED = (Verdict.REGRESSED, Verdict.FIXED, Verdict.NEWLY_UNSUPPORTED, Verdict.NEWLY_WARNS, Verdict.CHANGED)
FILE_REQUIRED = ("schema_version", "kind", "baseline", "candidate", "started_at", "duration_s",
                 "releases", "tested", "gaps", "budget", "changes")
SIDE_REQUIRED = ("version", "label")
CHANGE_REQUIRED = ("id", "scenario", "verdict", "tracked", "cells", "first_with", "last_without",
                   "monotonic", "exact", "between", "flips", "budget_exhausted")
CELL_REQUIRED = ("version", "status", "error", "value", "state")
FLIP_REQUIRED = ("before", "after", "before_state", "after_state", "before_value", "after_value", "exact", "between")


@dataclass
class Cell:
    """One tested release, as one change sees it."""

    version: str
    status: str
    #: ``{"type", "message"}`` (first line of the message) when the scenario raised or failed
    error: dict[str, str] | None
    #: the tracked thing on this release: the status, whether the deprecation was raised, the observed value
    value: Any
    state: str

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "status": self.status, "error": self.error,
                "value": self.value, "state": self.state}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Cell":
        return cls(**{k: data[k] for k in CELL_REQUIRED})


@dataclass
class Untested:
    """A release between two tested ones that was not tested, and why."""

    version: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "reason": self.reason}


@dataclass
class Flip:
    """Two consecutive tested releases on which the tracked thing differs."""

    before: str
    after: str
    before_state: str
    after_state: str
    before_value: Any
    after_value: Any
    #: no release between them is untested (releases that did not install may lie between: ``between``)
    exact: bool
    between: list[Untested] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before, "after": self.after,
            "before_state": self.before_state, "after_state": self.after_state,
            "before_value": self.before_value, "after_value": self.after_value,
            "exact": self.exact, "between": [u.to_dict() for u in self.between],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Flip":
        return cls(**{k: data[k] for k in FLIP_REQUIRED if k != "between"},
                   between=[Untested(**u) for u in data["between"]])


@dataclass
class ChangeHistory:
    #: ``<scenario>:<verdict>[:<key>]``, stable between reruns of the same pair
    id: str
    scenario: str
    verdict: str
    #: ``{"what": status|deprecation|observation, "key", "baseline", "candidate", "text"}``
    tracked: dict[str, Any]
    cells: list[Cell] = field(default_factory=list)
    first_with: str | None = None
    last_without: str | None = None
    monotonic: bool = False
    exact: bool = False
    #: releases between ``last_without`` and ``first_with`` that were not tested, with the reason
    between: list[Untested] = field(default_factory=list)
    #: every transition observed, in release order
    flips: list[Flip] = field(default_factory=list)
    #: the search stopped (``--max-releases``) before every flip was narrowed to adjacent releases
    budget_exhausted: bool = False

    def cell(self, version: str) -> Cell | None:
        return next((c for c in self.cells if c.version == version), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "scenario": self.scenario, "verdict": self.verdict, "tracked": self.tracked,
            "cells": [c.to_dict() for c in self.cells],
            "first_with": self.first_with, "last_without": self.last_without,
            "monotonic": self.monotonic, "exact": self.exact,
            "between": [u.to_dict() for u in self.between],
            "flips": [f.to_dict() for f in self.flips],
            "budget_exhausted": self.budget_exhausted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChangeHistory":
        return cls(
            id=data["id"], scenario=data["scenario"], verdict=data["verdict"], tracked=dict(data["tracked"]),
            cells=[Cell.from_dict(c) for c in data["cells"]],
            first_with=data["first_with"], last_without=data["last_without"],
            monotonic=bool(data["monotonic"]), exact=bool(data["exact"]),
            between=[Untested(**u) for u in data["between"]],
            flips=[Flip.from_dict(f) for f in data["flips"]],
            budget_exhausted=bool(data["budget_exhausted"]),
        )


@dataclass
class Tested:
    """One release the bisect has cells for, and where they came from."""

    version: str
    #: the run files (names relative to the results directory) the cells were read from
    sources: list[str] = field(default_factory=list)
    #: scenario ids with a cell on this release
    scenarios: list[str] = field(default_factory=list)
    #: the search step that ran it (1-based), or None when the cells were already there
    step: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "sources": self.sources, "scenarios": self.scenarios, "step": self.step}


@dataclass
class BisectResult:
    baseline: dict[str, str]
    candidate: dict[str, str]
    started_at: str
    duration_s: float = 0.0
    #: every final release from the baseline to the candidate, in order
    releases: list[str] = field(default_factory=list)
    tested: list[Tested] = field(default_factory=list)
    #: releases that could not be installed or run, with the installer's (or runner's) last lines
    gaps: list[Untested] = field(default_factory=list)
    #: ``{"max_releases": int|None, "used": int, "exhausted": bool}``
    budget: dict[str, Any] = field(default_factory=dict)
    changes: list[ChangeHistory] = field(default_factory=list)
    #: how the bisect ran: repeat/warmup, the scenario selection, where the changes came from
    settings: dict[str, Any] = field(default_factory=dict)
    #: "complete" or "interrupted"
    run_status: str = "complete"
    schema_version: int = SCHEMA_VERSION
    path: Path | None = field(default=None, compare=False, repr=False)

    def change(self, change_id: str) -> ChangeHistory | None:
        return next((c for c in self.changes if c.id == change_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "kind": KIND,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "run_status": self.run_status,
            "settings": self.settings,
            "releases": self.releases,
            "tested": [t.to_dict() for t in self.tested],
            "gaps": [g.to_dict() for g in self.gaps],
            "budget": self.budget,
            "changes": [c.to_dict() for c in self.changes],
        }


def file_name(baseline_version: str, candidate_version: str) -> str:
    return f"{baseline_version}__{candidate_version}.json"


def _need(data: Any, required: Iterable[str], where: str) -> None:
    if not isinstance(data, dict):
        raise ResultsError(f"{where} must be an object")
    for key in required:
        if key not in data:
            raise ResultsError(f"{where} is missing field {key!r}")


def _check_untested(items: Any, where: str) -> None:
    if not isinstance(items, list):
        raise ResultsError(f"{where} must be a list")
    for i, item in enumerate(items):
        _need(item, ("version", "reason"), f"{where}[{i}]")


def _check_change(change: Any, i: int, releases: set[str], source: str) -> None:
    _need(change, CHANGE_REQUIRED, f"{source}: changes[{i}]")
    where = f"{source}: change {change['id']!r}"
    if change["verdict"] not in BISECTED:
        raise ResultsError(f"{where} has verdict {change['verdict']!r}; bisected verdicts are {', '.join(BISECTED)}")
    _need(change["tracked"], ("what", "key", "baseline", "candidate"), f"{where} field 'tracked'")
    if change["tracked"]["what"] not in TRACKED:
        raise ResultsError(f"{where} tracks {change['tracked']['what']!r}; expected one of {TRACKED}")
    if not isinstance(change["cells"], list):
        raise ResultsError(f"{where} field 'cells' must be a list")
    for j, cell in enumerate(change["cells"]):
        _need(cell, CELL_REQUIRED, f"{where} cells[{j}]")
        if cell["state"] not in STATES:
            raise ResultsError(f"{where} cell {cell['version']!r} has unknown state {cell['state']!r}")
        if cell["status"] not in Status.values():
            raise ResultsError(f"{where} cell {cell['version']!r} has unknown status {cell['status']!r}")
        if cell["version"] not in releases:
            raise ResultsError(f"{where} cell {cell['version']!r} is not one of the file's releases")
    for key in ("first_with", "last_without"):
        if change[key] is not None and change[key] not in releases:
            raise ResultsError(f"{where} field {key!r}: {change[key]!r} is not one of the file's releases")
    _check_untested(change["between"], f"{where} field 'between'")
    if not isinstance(change["flips"], list):
        raise ResultsError(f"{where} field 'flips' must be a list")
    for j, flip in enumerate(change["flips"]):
        _need(flip, FLIP_REQUIRED, f"{where} flips[{j}]")
        _check_untested(flip["between"], f"{where} flips[{j}].between")


def validate(data: Any, source: str) -> None:
    """Raise ``ResultsError`` naming ``source`` unless ``data`` is a schema-1 bisect result."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ResultsError(f"{source}: not a bisect result file (expected kind {KIND!r})")
    check_header(data, source, SCHEMA_VERSION, FILE_REQUIRED)
    for role in ("baseline", "candidate"):
        _need(data[role], SIDE_REQUIRED, f"{source}: field {role!r}")
    releases = data["releases"]
    if not isinstance(releases, list) or not all(isinstance(r, str) for r in releases):
        raise ResultsError(f"{source}: 'releases' must be a list of versions")
    if not isinstance(data["tested"], list):
        raise ResultsError(f"{source}: 'tested' must be a list")
    for i, tested in enumerate(data["tested"]):
        _need(tested, ("version", "sources", "scenarios", "step"), f"{source}: tested[{i}]")
    _check_untested(data["gaps"], f"{source}: 'gaps'")
    _need(data["budget"], ("max_releases", "used", "exhausted"), f"{source}: field 'budget'")
    if not isinstance(data["changes"], list):
        raise ResultsError(f"{source}: 'changes' must be a list")
    for i, change in enumerate(data["changes"]):
        _check_change(change, i, set(releases), source)


def from_dict(data: dict[str, Any], source: str = "<bisect result>") -> BisectResult:
    validate(data, source)
    return BisectResult(
        baseline=dict(data["baseline"]),
        candidate=dict(data["candidate"]),
        started_at=data["started_at"],
        duration_s=float(data["duration_s"]),
        releases=list(data["releases"]),
        tested=[Tested(**{k: t[k] for k in ("version", "sources", "scenarios", "step")}) for t in data["tested"]],
        gaps=[Untested(**g) for g in data["gaps"]],
        budget=dict(data["budget"]),
        changes=[ChangeHistory.from_dict(c) for c in data["changes"]],
        settings=dict(data.get("settings") or {}),
        run_status=data.get("run_status", "complete"),
    )


def load(path: Path) -> BisectResult:
    """Read and validate one bisect result; every failure is one ``ResultsError`` line naming the file."""
    result = from_dict(read_json(path, "bisect result file"), str(path))
    result.path = Path(path)
    return result


def save(result: BisectResult, path: Path) -> None:
    save_checked(result.to_dict(), path, validate, indent=1)


def files_in(bisect_dir: Path) -> list[Path]:
    """Bisect result files in ``bisect_dir`` (its ``runs/`` subdirectory holds run files, not these)."""
    return json_files(bisect_dir, "*__*.json")


def load_all(paths: Iterable[Path]) -> tuple[list[BisectResult], list[str]]:
    """Every readable bisect result, and one-line problems for the rest."""
    return load_each(paths, load)
