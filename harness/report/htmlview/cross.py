"""The cross-version section: per pair, the client x server grid, models logged by one
version and loaded by the other (both ways), the database steps, what failed and
the advice derived from it. The same facts ``matrix.md`` shows
(:mod:`harness.report.cross`), with its step names and descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.analysis.crossadvice import VARIANT_NAMES
from harness.analysis.model import Analysis
from harness.outcomes import Status
from harness.report.crossfacts import (
    DB_STEPS, DB_WHAT, ROLES, VARIANTS, direction, load_pairs, saved_formats, schema_change, step_text, step_why,
)
from harness.report.htmlview.common import KeyValue, clip, key_values
from harness.report.htmlview.guidance import AdviceView, advice_view, cross_anchor
from harness.results.cross import CrossResult, StepResult

#: areas with a table of their own; steps of any other area are listed as they are
_TABLED = ("server", "artifacts", "db")


@dataclass
class StepView:
    """One step's outcome: ``status`` picks the colour, ``text`` the words, ``why`` the hover."""

    name: str
    status: str
    text: str
    why: str = ""


def why(step: StepResult) -> str:
    return clip(step_why(step), 2000)


def step_view(step: StepResult | None, name: str = "") -> StepView:
    if step is None:
        return StepView(name, "", "–", "not run")
    return StepView(name, str(step.status), step_text(step), why(step) if step.status != Status.PASS else "")


@dataclass
class GridRow:
    client: str
    #: per server: the tracking and registry steps, or the server's failure to start
    cells: list[list[StepView]]


@dataclass
class ArtifactRow:
    variant: str
    label: str
    saved_as: str
    cells: list[StepView]


@dataclass
class DbRow:
    sid: str
    what: str
    by: str
    outcome: StepView
    identical: bool
    revision: str


@dataclass
class Failure:
    sid: str
    direction: str
    status: str
    op: str
    why: str


@dataclass
class OtherStep:
    sid: str
    direction: str
    outcome: StepView
    observations: list[KeyValue]


@dataclass
class PairView:
    title: str
    id: str
    run_status: str
    servers: list[str] = field(default_factory=list)
    grid: list[GridRow] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    artifacts: list[ArtifactRow] = field(default_factory=list)
    database: list[DbRow] = field(default_factory=list)
    other: list[OtherStep] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    advice: list[AdviceView] = field(default_factory=list)


def _direction(r: CrossResult, step: StepResult) -> str:
    return direction(r, step.from_role, step.to_role)


def _grid(r: CrossResult, view: PairView) -> None:
    if not r.area("server"):
        return
    view.servers = [r.version(s) for s in ROLES]
    for client in ROLES:
        cells = []
        for server in ROLES:
            start = r.get("server.start", server, server)
            if start is not None and start.status != Status.PASS:
                cells.append([StepView("server", str(start.status), "server did not start", why(start))])
                continue
            cells.append([step_view(r.get(f"server.{part}", server, client), part) for part in ("tracking", "registry")])
        view.grid.append(GridRow(r.version(client), cells))


def _artifacts(r: CrossResult, view: PairView) -> None:
    if not r.area("artifacts"):
        return
    pairs = load_pairs()
    view.directions = [direction(r, w, rd) for w, rd in pairs]
    for variant in VARIANTS:
        view.artifacts.append(ArtifactRow(variant, VARIANT_NAMES.get(variant, variant), saved_formats(r, variant),
                                          [step_view(r.get(f"artifacts.{variant}.load", w, rd)) for w, rd in pairs]))


def _database(r: CrossResult, view: PairView) -> None:
    for sid in DB_STEPS:
        for step in (s for s in r.steps if s.id == sid):
            view.database.append(DbRow(
                sid, DB_WHAT.get(sid, ""), r.version(step.to_role), step_view(step),
                bool(step.observations.get("records_identical")), schema_change(step.observations),
            ))


def pair_view(analysis: Analysis, r: CrossResult) -> PairView:
    b, c = r.baseline.mlflow_version, r.candidate.mlflow_version
    view = PairView(f"mlflow {b} (baseline) ↔ {c} (candidate)", cross_anchor(b, c), str(r.run_status))
    _grid(r, view)
    _artifacts(r, view)
    _database(r, view)
    view.other = [OtherStep(s.id, _direction(r, s), step_view(s), key_values(s.observations))
                  for s in r.steps if s.area not in _TABLED]
    view.failures = [Failure(s.id, _direction(r, s), str(s.status), str(s.observations.get("failed_op") or ""), why(s))
                     for s in r.steps if s.status not in (Status.PASS, Status.SKIPPED)]
    view.advice = [advice_view(a) for a in analysis.advice_for(r)]
    return view


def cross(analysis: Analysis) -> list[PairView] | None:
    """One block per cross result (unreadable cross files are in the notes on the inputs)."""
    return [pair_view(analysis, r) for r in analysis.cross] or None
