"""The matrix printed to the terminal: scenario rows x version columns.

The table builders take an ``escape`` function applied to every value that
came from a result file (ids, versions, messages): :func:`~harness.report.escape.term`
here, :func:`~harness.report.escape.md` when markdown.py builds the same tables.
"""

from __future__ import annotations

from typing import Callable

from tabulate import tabulate

from harness.analysis.compare import median
from harness.analysis.guidance import Guidance
from harness.analysis.matrix import Matrix
from harness.analysis.model import Analysis
from harness.outcomes import Status, Verdict
from harness.report import apitext, bisecttext
from harness.report.cells import cell_text, column_title
from harness.report.escape import term

Escape = Callable[[object], str]

#: verdicts counted in a summary line, in this order
SUMMARY_ORDER = (
    Verdict.REGRESSED, Verdict.NEWLY_UNSUPPORTED, Verdict.NEWLY_WARNS, Verdict.CHANGED,
    Verdict.SLOWER, Verdict.FASTER, Verdict.FIXED, Verdict.NEW, Verdict.GONE,
)


def render_table(matrix: Matrix, tablefmt: str = "simple", escape: Escape = term) -> str:
    runs = matrix.installed
    headers = ["scenario"] + [escape(column_title(r, matrix.baseline)) for r in runs]
    rows = []
    for sid in matrix.scenario_ids:
        row = [escape(sid)]
        for run in runs:
            row.append(cell_text(matrix.cell(run, sid), matrix.verdict(run, sid)))
        rows.append(row)
    return tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)


def timing_cell(matrix: Matrix, run, sid: str) -> str:
    """``1.80x [slower]``: the candidate's median as a ratio to the baseline's."""
    cell, base = matrix.cell(run, sid), matrix.cell(matrix.baseline, sid) if matrix.baseline else None
    med = median(cell)
    if med is None:
        return "-" if cell is None else cell.status
    if run is matrix.baseline:
        return f"{med * 1000:.0f}ms" if med < 1 else f"{med:.2f}s"
    base_med = median(base)
    if not base_med:
        return "no baseline"
    verdict = matrix.verdict(run, sid)
    text = f"{med / base_med:.2f}x"
    if verdict is not None and verdict.timing is not None and verdict.timing.verdict in (Verdict.SLOWER, Verdict.FASTER):
        text += f" [{verdict.timing.verdict}]"
    elif cell.status != Status.PASS or (base is not None and base.status != Status.PASS):
        text += f" ({base.status if base else '-'}->{cell.status})"
    return text


def render_timings(matrix: Matrix, tablefmt: str = "simple", escape: Escape = term) -> str:
    """Timed scenarios: baseline median, then every other version as a ratio to it."""
    ids = matrix.timed_ids()
    if not ids or matrix.baseline is None:
        return ""
    runs = [matrix.baseline] + [r for r in matrix.installed if r is not matrix.baseline]
    headers = ["scenario"] + [escape(column_title(r, matrix.baseline)) for r in runs]
    rows = [[escape(sid)] + [timing_cell(matrix, r, sid) for r in runs] for sid in ids]
    return tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)


def summary_lines(matrix: Matrix, escape: Escape = term) -> list[str]:
    lines = []
    for label, comparison in matrix.comparisons.items():
        counts = comparison.change_counts()
        interesting = ", ".join(f"{counts[v]} {v}" for v in SUMMARY_ORDER if counts.get(v))
        lines.append(
            f"{escape(comparison.candidate.mlflow_version)} vs {escape(comparison.baseline.mlflow_version)}: "
            f"{interesting or 'no differences'}"
        )
    for run in matrix.runs:
        for skipped in run.skipped_releases:
            reason = str(skipped.get("reason") or "").splitlines()
            lines.append(
                f"note: spec {escape(run.spec)} skipped mlflow {escape(skipped.get('version'))}: "
                f"{escape(reason[0][:200] if reason else '')}"
            )
    for run in matrix.install_failures:
        first = (run.install_error or "").strip().splitlines()
        lines.append(
            f"INSTALL FAILED: {escape(run.spec or run.label)}: {escape(first[-1].strip()[:200] if first else 'no output')}"
        )
    for run in matrix.installed:
        for failed in run.load_errors:
            lines.append(
                f"SCENARIO MODULE NOT LOADED ({escape(run.label)}): {escape(failed.get('path'))}: "
                f"{escape(failed.get('error'))}"
            )
    for problem in matrix.problems:
        lines.append(f"SKIPPED FILE: {escape(problem)}")
    return lines


def guidance_lines(guidance: Guidance, limit: int = 8) -> list[str]:
    """ROLLBACK / MIGRATE / DEPRECATED / NOTE lines; the rest is in results/guidance.md."""
    lines = [f"ROLLBACK: {term(r.summary)}" for r in guidance.rollback]
    lines += [f"MIGRATE: {term(m.summary)}" for m in guidance.migrations[:limit]]
    if len(guidance.migrations) > limit:
        lines.append(f"MIGRATE: ... {len(guidance.migrations) - limit} more in results/guidance.md")
    lines += [f"DEPRECATED: {term(d.summary)}" for d in guidance.deprecations[:limit]]
    if len(guidance.deprecations) > limit:
        lines.append(f"DEPRECATED: ... {len(guidance.deprecations) - limit} more in results/guidance.md")
    lines += [f"NOTE: {term(a.summary)}" for a in guidance.cross]
    return lines


def render(analysis: Analysis, quiet: bool = False) -> str:
    """What ``report`` prints: the matrix (unless quiet), timings, summary lines, guidance lines."""
    matrix = analysis.matrix
    parts = []
    if not quiet and matrix.installed:
        parts.append(render_table(matrix))
        parts.append("legend: status + median time; ! = warnings captured; [changes vs baseline, most severe first]")
        timings = render_timings(matrix)
        if timings:
            parts.append("")
            parts.append(timings)
            parts.append("timings: baseline median, others as a ratio to it; [slower]/[faster] only past "
                         "the slowdown factor and beyond noise (Mann-Whitney U, p < 0.10)")
    parts.extend(summary_lines(matrix))
    parts.extend(bisecttext.terminal_lines(analysis.bisect))
    parts.extend(apitext.terminal_lines(analysis.api))
    if analysis.library_warnings:
        parts.append(f"library warnings: {len(analysis.library_warnings)} raised inside libraries "
                     "(not verdicts; listed in results/matrix.md)")
    parts.extend(guidance_lines(analysis.guidance))
    return "\n".join(parts)
