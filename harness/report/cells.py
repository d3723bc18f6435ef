"""How one cell reads in text renderers (terminal and Markdown)."""

from __future__ import annotations

from harness.analysis.compare import CellVerdict
from harness.outcomes import Verdict
from harness.results.runs import ScenarioResult


def time_text(result: ScenarioResult) -> str:
    median = (result.timing or {}).get("median")
    seconds = median if median is not None else result.duration_s
    if seconds is None:
        return ""
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.2f}s"


def cell_text(result: ScenarioResult | None, verdict: CellVerdict | None = None) -> str:
    if result is None:
        return "-"
    text = f"{result.status} {time_text(result)}".strip()
    if result.warnings and any(True for _ in result.warnings):
        text += " !"
    flags = changes_text(verdict)
    return f"{text} [{flags}]" if flags else text


def changes_text(verdict: CellVerdict | None) -> str:
    """Every change a cell has, most severe first: ``regressed, changed``, ``slower 1.80x``."""
    if verdict is None:
        return ""
    flags = []
    for change in sorted(set(verdict.changes), key=lambda v: v.severity):
        if not change.flagged:
            continue
        flag = str(change)
        if verdict.ratio is not None and change in (Verdict.SLOWER, Verdict.FASTER):
            flag += f" {verdict.ratio:.2f}x"
        flags.append(flag)
    return ", ".join(flags)


def column_title(run, baseline) -> str:
    title = run.mlflow_version if run.installed else f"{run.spec or run.label}"
    if run is baseline:
        title += " (baseline)"
    if not run.installed:
        title += " (not installed)"
    return title
