"""The matrix section: version columns, scenario rows grouped by area, one cell per version.

A cell's summary line is its status, time, warning count and a chip per change
against the baseline (the primary verdict first); its hover text is one line
per fact; its detail block (opened by a click) has the comparison, the
exception, the reason, the warnings with their origins, the observations and
what changed in them, the samples and the metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.analysis.compare import CellVerdict
from harness.analysis.model import Analysis
from harness.analysis.text import first_line
from harness.outcomes import Status, Verdict
from harness.report.cells import column_title, time_text
from harness.report.htmlview.common import (
    Chip, KeyValue, allowlisted, change_chips, clip, json_text, key_values, last_line, row_anchor, sample_text,
)
from harness.results.runs import RunFile, ScenarioResult

#: the legend's order: working, broken, then not run
LEGEND_STATUSES = (Status.PASS, Status.FAIL, Status.ERROR, Status.TIMEOUT, Status.CRASHED, Status.UNSUPPORTED,
                   Status.SKIPPED)
#: warning keys shown in their own place; any other key is listed as ``key: value``
_WARNING_KEYS = {"category", "message", "count", "source", "where", "filename", "lineno", "origin", "frame"}
#: origins the runner records (``library:<name>`` counts as ``library``)
_ORIGINS = ("scenario", "mlflow", "library")


@dataclass
class Column:
    title: str
    spec: str
    hover: str
    baseline: bool = False


@dataclass
class FailedColumn:
    title: str
    hover: str


@dataclass(slots=True)
class WarningView:
    category: str
    message: str
    count: int | None = None
    #: where the warning was attributed (file:line or a logger name)
    where: str = ""
    #: how it was captured: "warnings" or "logging"
    source: str = ""
    #: "scenario", "mlflow" or "library:<name>"; css picks one of ``org-<kind>``
    origin: str = ""
    origin_kind: str = "other"
    frame: str = ""
    extra: list[KeyValue] = field(default_factory=list)


@dataclass(slots=True)
class ObservationChange:
    key: str
    baseline: str
    candidate: str


@dataclass(slots=True)
class Detail:
    vs_baseline: list[str]
    allowed: str | None
    exception: tuple[str, str] | None
    traceback: str
    reason: str
    warnings: list[WarningView]
    observations: list[KeyValue]
    changes: list[ObservationChange]
    samples: str
    timing: str
    metrics: list[KeyValue]
    footer: str


@dataclass(slots=True)
class Cell:
    #: None when the scenario did not run on this version
    status: Status | None
    hover: str
    time: str = ""
    warnings: int = 0
    chips: list[Chip] = field(default_factory=list)
    #: the primary verdict when it is shown (a coloured bar on the cell's edge)
    mark: Verdict | None = None
    detail: Detail | None = None

    @property
    def css(self) -> str:
        """``cell st-<status>`` plus ``vd-<verdict>-cell`` when a verdict is shown."""
        if self.status is None:
            return "cell na"
        return f"cell st-{self.status.value}" + (f" vd-{self.mark.value}-cell" if self.mark is not None else "")


@dataclass
class Row:
    sid: str
    id: str
    kind: str
    description: str
    replaced_by: str
    replaced_link: str
    cells: list[Cell]


@dataclass
class Area:
    name: str
    rows: list[Row]


@dataclass
class MatrixView:
    columns: list[Column]
    failed: list[FailedColumn]
    areas: list[Area]
    statuses: list[Status] = field(default_factory=lambda: list(LEGEND_STATUSES))
    verdicts: list[Verdict] = field(default_factory=lambda: [v for v in Verdict if v.flagged or v == Verdict.NEW])

    @property
    def width(self) -> int:
        return 1 + len(self.columns) + len(self.failed)


def run_hover(run: RunFile) -> str:
    return f"{run.label}: spec {run.spec}, python {run.python_version}, {run.platform}, {run.run_status}"


def warning_view(w: dict[str, Any]) -> WarningView:
    where = w.get("where") or ""
    if not where and w.get("filename"):
        where = f"{w.get('filename')}:{w.get('lineno')}" if w.get("lineno") is not None else str(w["filename"])
    origin = str(w.get("origin") or "")
    kind = origin.split(":", 1)[0]
    count = w.get("count")
    return WarningView(
        category=str(w.get("category") or "warning"),
        message=clip(w.get("message")),
        count=count if isinstance(count, int) and not isinstance(count, bool) and count > 1 else None,
        where=str(where),
        source=str(w.get("source") or ""),
        origin=origin,
        origin_kind=kind if kind in _ORIGINS else "other",
        frame=frame_text(w.get("frame")),
        extra=key_values({k: v for k, v in w.items() if k not in _WARNING_KEYS}),
    )


def frame_text(frame: Any) -> str:
    """A recorded frame as ``file:line in function`` (a string is kept as it is)."""
    if not frame:
        return ""
    if isinstance(frame, dict):
        path = frame.get("filename") or frame.get("file") or frame.get("path") or ""
        line = frame.get("lineno") or frame.get("line")
        func = frame.get("function") or frame.get("name")
        text = f"{path}:{line}" if path and line is not None else str(path)
        text += f" in {func}" if func else ""
        return text or json_text(frame)
    return json_text(frame)


def _detail(result: ScenarioResult, verdict: CellVerdict | None, allowed: str | None) -> Detail:
    err = result.error or {}
    samples = (result.timing or {}).get("samples") or []
    timing = ""
    if verdict is not None and verdict.timing is not None:
        ratio = f"{verdict.timing.ratio:.2f}x the baseline's median; " if verdict.timing.ratio is not None else ""
        timing = ratio + verdict.timing.reason
    return Detail(
        vs_baseline=list(verdict.details) if verdict is not None else [],
        allowed=allowed,
        exception=(str(err.get("type")), clip(err.get("message"))) if err else None,
        traceback=clip(err.get("traceback")) if err.get("traceback") else "",
        reason=clip(result.reason),
        warnings=[warning_view(w) for w in result.warnings],
        observations=key_values(result.observations),
        changes=[ObservationChange(k, repr(d.get("baseline")), repr(d.get("candidate")))
                 for k, d in (verdict.observation_diff.items() if verdict is not None else ())],
        samples=sample_text(samples),
        timing=timing,
        metrics=key_values(result.metrics),
        footer=f"{result.kind}, wall time {result.duration_s:.2f}s",
    )


def hover(result: ScenarioResult, verdict: CellVerdict | None) -> str:
    """The cell's tooltip: id and status, the first line of the error or reason, two verdict details."""
    lines = [f"{result.id}: {result.status}"]
    if result.error:
        lines.append(first_line(f"{result.error.get('type')}: {result.error.get('message')}", 200))
    elif result.reason:
        lines.append(first_line(result.reason, 200))
    if verdict is not None and verdict.verdict != Verdict.SAME:
        lines.extend(first_line(d, 200) for d in verdict.details[:2])
    if result.warnings:
        lines.append(f"{len(result.warnings)} warnings captured")
    return "\n".join(lines)


def cell(analysis: Analysis, run: RunFile, sid: str, result: ScenarioResult | None) -> Cell:
    """One cell: ``result`` is ``run``'s result for ``sid`` (looked up once per run by the caller)."""
    verdict = analysis.matrix.verdict(run, sid)
    if result is None:
        text = verdict.details[0] if verdict is not None and verdict.details else "not run on this version"
        return Cell(None, text)
    shown = verdict is not None and verdict.verdict != Verdict.SAME
    return Cell(
        status=result.status,
        hover=hover(result, verdict),
        time=time_text(result),
        warnings=len(result.warnings),
        chips=change_chips(verdict) if shown else [],
        mark=verdict.verdict if shown else None,
        detail=_detail(result, verdict, allowlisted(analysis.policy, verdict)),
    )


def matrix(analysis: Analysis) -> MatrixView | None:
    m = analysis.matrix
    runs, failed = m.installed, m.install_failures
    if not runs and not failed:
        return None
    columns = [Column(column_title(r, m.baseline), f"spec {r.spec or '?'}, python {r.python_version}",
                      run_hover(r), r is m.baseline) for r in runs]
    failed_columns = [FailedColumn(r.spec or r.label, last_line(r.install_error)) for r in failed]
    results = [r.by_id() for r in runs]
    areas = []
    for area, sids in m.areas().items():
        rows = []
        for sid in sids:
            meta = m.meta(sid)
            rows.append(Row(
                sid=sid,
                id=row_anchor(sid),
                kind=meta.kind if meta else "",
                description=(meta.description or "") if meta else "",
                replaced_by=(meta.replaced_by or "") if meta else "",
                replaced_link=row_anchor(meta.replaced_by) if meta and meta.replaced_by else "",
                cells=[cell(analysis, run, sid, found.get(sid)) for run, found in zip(runs, results)],
            ))
        areas.append(Area(area, rows))
    return MatrixView(columns, failed_columns, areas)
