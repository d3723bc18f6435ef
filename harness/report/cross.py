"""Markdown for cross results: the client x server grid, models both ways, the database story."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.analysis.crossadvice import CrossAdvice
from harness.crossversion.artifacts import VARIANTS
from harness.crossversion.database import STEPS as DB_WHAT
from harness.results.cross import ROLES, CrossResult, StepResult

if TYPE_CHECKING:
    from harness.analysis.model import Analysis

DB_STEPS = tuple(DB_WHAT)


def _esc(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _cell(step: StepResult | None) -> str:
    if step is None:
        return "–"
    text = step.status
    if step.status != "pass":
        op = step.observations.get("failed_op")
        kind = (step.error or {}).get("type")
        text += f" ({'at ' + op + ': ' if op else ''}{kind})" if kind or op else ""
    return text


def _why(step: StepResult) -> str:
    err = step.error or {}
    message = (err.get("message") or step.reason or "").split(" Response body:")[0]  # HTTP errors append HTML
    text = f"{err.get('type', '')}: {message}".strip(": ")
    return _esc(text[:300] + ("..." if len(text) > 300 else ""))


def _server_grid(r: CrossResult) -> list[str]:
    if not r.area("server"):
        return []
    lines = ["### Client x server (tracking · registry)", "",
             "| client \\ server | " + " | ".join(f"server {r.version(s)}" for s in ROLES) + " |",
             "|---|" + "---|" * len(ROLES)]
    for client in ROLES:
        cells = []
        for srv in ROLES:
            start = r.get("server.start", srv, srv)
            if start is not None and start.status != "pass":
                cells.append(f"server did not start ({_esc((start.error or {}).get('message', ''))[:60]})")
                continue
            parts = [_cell(r.get(sid, srv, client)) for sid in ("server.tracking", "server.registry")]
            cells.append(" · ".join(parts))
        lines.append(f"| client {r.version(client)} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _artifacts(r: CrossResult) -> list[str]:
    if not r.area("artifacts"):
        return []
    pairs = [(w, rd) for w in ROLES for rd in ((w,) + tuple(x for x in ROLES if x != w))]
    lines = ["### Models across versions (logged by → loaded by)", "",
             "| model | saved as | " + " | ".join(f"{r.version(w)} → {r.version(rd)}" for w, rd in pairs) + " |",
             "|---|---|" + "---|" * len(pairs)]
    for variant in VARIANTS:
        formats = []
        for w in ROLES:
            log = r.get(f"artifacts.{variant}.log", w, w)
            if log is None:
                continue
            fmt = log.observations.get("serialization_format") or log.observations.get("model_file")
            formats.append(f"{r.version(w)}: {fmt if log.status == 'pass' else 'not logged (' + log.status + ')'}")
        cells = [_cell(r.get(f"artifacts.{variant}.load", w, rd)) for w, rd in pairs]
        lines.append(f"| {variant} | {_esc('; '.join(formats))} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _database(r: CrossResult) -> list[str]:
    if not r.area("db"):
        return []
    lines = ["### Tracking database (sqlite)", "",
             "| step | what | by | outcome | schema revision |", "|---|---|---|---|---|"]
    for sid in DB_STEPS:
        for step in (s for s in r.steps if s.id == sid):
            obs = step.observations
            before, after = obs.get("schema_revision_before"), obs.get("schema_revision_after")
            rev = f"{before or '–'} → {after or '–'}" if (before or after) else ""
            extra = " (records identical)" if obs.get("records_identical") else ""
            lines.append(f"| `{sid}` | {DB_WHAT.get(sid, '')} | {r.version(step.to_role)} | "
                         f"{_cell(step)}{extra} | {rev} |")
    lines.append("")
    return lines


def _failures(r: CrossResult) -> list[str]:
    bad = [s for s in r.steps if s.status not in ("pass", "skipped")]
    if not bad:
        return []
    lines = ["### What failed and why", ""]
    for s in bad:
        op = s.observations.get("failed_op")
        where = f" at `{op}`" if op else ""
        lines.append(f"- `{s.id}` {r.version(s.from_role)} → {r.version(s.to_role)}: **{s.status}**{where}: {_why(s)}")
    lines.append("")
    return lines


def to_markdown(r: CrossResult, advice: list[CrossAdvice]) -> str:
    """One pair's section (a level-2 heading, as in matrix.md), with the advice derived from it."""
    lines = [f"## Cross-version: mlflow {r.baseline.mlflow_version} (baseline) ↔ "
             f"{r.candidate.mlflow_version} (candidate)", "",
             "Each step ran in its own version's environment (`nox -s skew`); "
             "`A → B` means what A wrote or served was used by B."
             + (f" Run status: **{r.run_status}**." if r.run_status != "complete" else ""), ""]
    body = _server_grid(r) + _artifacts(r) + _database(r) + _failures(r)
    if advice:
        body += ["### What this means", "", *(f"- {a.summary}" for a in advice), ""]
    lines += body or ["No cross-version step ran.", ""]
    return "\n".join(lines)


def section(analysis: "Analysis") -> str:
    """Every pair, for matrix.md; unreadable files are listed, not fatal."""
    results, problems = analysis.cross, analysis.cross_problems
    if not results and not problems:
        return ""
    parts = [to_markdown(r, analysis.advice_for(r)) for r in results]
    if problems:
        parts.append("Cross-version result files skipped:\n\n" + "\n".join(f"- {_esc(p)}" for p in problems) + "\n")
    return "\n".join(parts)
