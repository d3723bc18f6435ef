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
    if verdict is not None and verdict.verdict.flagged:
        flag = str(verdict.verdict)
        if verdict.ratio is not None and verdict.verdict in (Verdict.SLOWER, Verdict.FASTER):
            flag += f" {verdict.ratio:.2f}x"
        text += f" [{flag}]"
    return text


def column_title(run, baseline) -> str:
    title = run.mlflow_version if run.installed else f"{run.spec or run.label}"
    if run is baseline:
        title += " (baseline)"
    if not run.installed:
        title += " (not installed)"
    return title
