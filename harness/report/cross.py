"""Markdown for cross results: the client x server grid, models both ways, the database story."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.analysis.crossadvice import CrossAdvice
from harness.report.crossfacts import (
    DB_STEPS, DB_WHAT, ROLES, VARIANTS, direction, load_pairs, saved_formats, schema_change, step_text, step_why,
)
from harness.report.escape import md, md_cell as cell, md_code, md_table as table
from harness.outcomes import Status
from harness.results.cross import CrossResult, StepResult

if TYPE_CHECKING:
    from harness.analysis.model import Analysis


def _cell(step: StepResult | None) -> str:
    return "–" if step is None else cell(step_text(step))


def _why(step: StepResult) -> str:
    text = step_why(step)
    return md(text[:300] + ("..." if len(text) > 300 else ""))


def _server_grid(r: CrossResult) -> list[str]:
    if not r.area("server"):
        return []
    headers = ["client \\ server", *(f"server {cell(r.version(s))}" for s in ROLES)]
    rows = []
    for client in ROLES:
        cells = []
        for srv in ROLES:
            start = r.get("server.start", srv, srv)
            if start is not None and start.status != Status.PASS:
                cells.append(f"server did not start ({cell(str((start.error or {}).get('message', ''))[:60])})")
                continue
            cells.append(" · ".join(_cell(r.get(sid, srv, client)) for sid in ("server.tracking", "server.registry")))
        rows.append([f"client {cell(r.version(client))}", *cells])
    return ["### Client x server (tracking · registry)", "", table(headers, rows), ""]


def _artifacts(r: CrossResult) -> list[str]:
    if not r.area("artifacts"):
        return []
    pairs = load_pairs()
    headers = ["model", "saved as", *(cell(direction(r, w, rd)) for w, rd in pairs)]
    rows = [[variant, cell(saved_formats(r, variant)), *(_cell(r.get(f"artifacts.{variant}.load", w, rd)) for w, rd in pairs)]
            for variant in VARIANTS]
    return ["### Models across versions (logged by → loaded by)", "", table(headers, rows), ""]


def _database(r: CrossResult) -> list[str]:
    if not r.area("db"):
        return []
    rows = []
    for sid in DB_STEPS:
        for step in (s for s in r.steps if s.id == sid):
            extra = " (records identical)" if step.observations.get("records_identical") else ""
            rows.append([md_code(sid, table=True), DB_WHAT.get(sid, ""), cell(r.version(step.to_role)),
                         _cell(step) + extra, cell(schema_change(step.observations))])
    return ["### Tracking database (sqlite)", "",
            table(["step", "what", "by", "outcome", "schema revision"], rows), ""]


def _failures(r: CrossResult) -> list[str]:
    bad = [s for s in r.steps if s.status not in (Status.PASS, Status.SKIPPED)]
    if not bad:
        return []
    lines = ["### What failed and why", ""]
    for s in bad:
        op = s.observations.get("failed_op")
        where = f" at {md_code(op)}" if op else ""
        lines.append(f"- {md_code(s.id)} {md(r.version(s.from_role))} → {md(r.version(s.to_role))}: "
                     f"**{s.status}**{where}: {_why(s)}")
    lines.append("")
    return lines


def to_markdown(r: CrossResult, advice: list[CrossAdvice]) -> str:
    """One pair's section (a level-2 heading, as in matrix.md), with the advice derived from it."""
    lines = [f"## Cross-version: mlflow {md(r.baseline.mlflow_version)} (baseline) ↔ "
             f"{md(r.candidate.mlflow_version)} (candidate)", "",
             "Each step ran in its own version's environment (`nox -s skew`); "
             "`A → B` means what A wrote or served was used by B."
             + (f" Run status: **{md(r.run_status)}**." if r.run_status != "complete" else ""), ""]
    body = _server_grid(r) + _artifacts(r) + _database(r) + _failures(r)
    if advice:
        body += ["### What this means", "", *(f"- {md(a.summary)}" for a in advice), ""]
    lines += body or ["No cross-version step ran.", ""]
    return "\n".join(lines)


def section(analysis: "Analysis") -> str:
    """Every pair, for matrix.md; unreadable files are listed, not fatal."""
    results, problems = analysis.cross, analysis.cross_problems
    if not results and not problems:
        return ""
    parts = [to_markdown(r, analysis.advice_for(r)) for r in results]
    if problems:
        parts.append("Cross-version result files skipped:\n\n" + "\n".join(f"- {md(p)}" for p in problems) + "\n")
    return "\n".join(parts)
