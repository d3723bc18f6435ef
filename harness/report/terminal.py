"""The matrix printed to the terminal: scenario rows x version columns."""

from __future__ import annotations

from tabulate import tabulate

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
    parts.extend(summary_lines(matrix))
    return "\n".join(parts)
