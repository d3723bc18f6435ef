"""The matrix printed to the terminal: scenario rows x version columns."""

from __future__ import annotations

from tabulate import tabulate

from harness.compare import median
from harness.report.cells import cell_text, column_title
from harness.report.model import Matrix


def render_table(matrix: Matrix, tablefmt: str = "simple") -> str:
    runs = matrix.installed
    headers = ["scenario"] + [column_title(r, matrix.baseline) for r in runs]
    rows = []
    for sid in matrix.scenario_ids:
        row = [sid]
        for run in runs:
            comparison = matrix.comparisons.get(run.label)
            verdict = comparison.verdicts.get(sid) if comparison else None
            row.append(cell_text(matrix.cell(run, sid), verdict))
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
    comparison = matrix.comparisons.get(run.label)
    verdict = comparison.verdicts.get(sid) if comparison else None
    text = f"{med / base_med:.2f}x"
    if verdict is not None and verdict.timing is not None and verdict.timing.verdict in ("slower", "faster"):
        text += f" [{verdict.timing.verdict}]"
    elif cell.status != "pass" or (base is not None and base.status != "pass"):
        text += f" ({base.status if base else '-'}->{cell.status})"
    return text


def render_timings(matrix: Matrix, tablefmt: str = "simple") -> str:
    """Timed scenarios: baseline median, then every other version as a ratio to it."""
    ids = matrix.timed_ids()
    if not ids or matrix.baseline is None:
        return ""
    runs = [matrix.baseline] + [r for r in matrix.installed if r is not matrix.baseline]
    headers = ["scenario"] + [column_title(r, matrix.baseline) for r in runs]
    rows = [[sid] + [timing_cell(matrix, r, sid) for r in runs] for sid in ids]
    return tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)


def summary_lines(matrix: Matrix) -> list[str]:
    lines = []
    for label, comparison in matrix.comparisons.items():
        counts = comparison.counts()
        interesting = ", ".join(
            f"{counts[v]} {v}" for v in ("regressed", "newly_unsupported", "newly_warns", "changed", "slower", "faster", "fixed", "new", "gone") if counts.get(v)
        )
        lines.append(
            f"{comparison.candidate.mlflow_version} vs {comparison.baseline.mlflow_version}: "
            f"{interesting or 'no differences'}"
        )
    for run in matrix.runs:
        for skipped in run.skipped_releases:
            lines.append(
                f"note: spec {run.spec} skipped mlflow {skipped['version']}: {skipped['reason'].splitlines()[0][:200]}"
            )
    for run in matrix.install_failures:
        first = (run.install_error or "").strip().splitlines()
        lines.append(
            f"INSTALL FAILED: {run.spec or run.label}: {first[-1][:200] if first else 'no output'}"
        )
    for run in matrix.installed:
        for failed in run.load_errors:
            lines.append(f"SCENARIO MODULE NOT LOADED ({run.label}): {failed['path']}: {failed['error']}")
    for problem in matrix.problems:
        lines.append(f"SKIPPED FILE: {problem}")
    return lines


def render(matrix: Matrix, quiet: bool = False) -> str:
    parts = []
    if not quiet and matrix.installed:
        parts.append(render_table(matrix))
        parts.append("legend: status + median time; ! = warnings captured; [verdict] vs baseline")
        timings = render_timings(matrix)
        if timings:
            parts.append("")
            parts.append(timings)
            parts.append("timings: baseline median, others as a ratio to it; [slower]/[faster] only past "
                         "the slowdown factor and beyond noise (Mann-Whitney U, p < 0.10)")
    parts.extend(summary_lines(matrix))
    return "\n".join(parts)
