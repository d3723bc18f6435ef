"""``results/matrix.md``: the matrix, install failures and the comparisons, in Markdown."""

from __future__ import annotations

from pathlib import Path

from harness.report.model import Matrix
from harness.report.terminal import render_table, render_timings, summary_lines


def render(matrix: Matrix, guidance_md: str = "", cross_md: str = "") -> str:
    lines = ["# MLflow compatibility matrix", ""]
    if matrix.baseline is not None:
        lines.append(f"Baseline: **mlflow {matrix.baseline.mlflow_version}**. "
                     "Cells: status, median time, `!` when warnings were captured, "
                     "`[verdict]` when it differs from the baseline.")
        lines.append("")
    if matrix.installed:
        lines.append(render_table(matrix, tablefmt="github"))
        lines.append("")
    timings = render_timings(matrix, tablefmt="github")
    if timings:
        lines.append("## Timings (ratio to the baseline)")
        lines.append("")
        lines.append("Baseline column: median time. Other columns: the version's median divided by the "
                     "baseline's. `[slower]`/`[faster]` only when the ratio passes the slowdown factor "
                     "and the samples differ beyond noise (Mann-Whitney U, one-sided, p < 0.10); "
                     "otherwise the ratio is noise or under the factor.")
        lines.append("")
        lines.append(timings)
        lines.append("")
    summary = summary_lines(matrix)
    if summary:
        lines.append("## Summary")
        lines.append("")
        lines.extend(f"- {line}" for line in summary)
        lines.append("")
    if matrix.install_failures:
        lines.append("## Versions that could not be installed")
        lines.append("")
        for run in matrix.install_failures:
            lines.append(f"### {run.spec or run.label}")
            lines.append("")
            lines.append("```")
            lines.append((run.install_error or "no output").strip())
            lines.append("```")
            lines.append("")
    details = []
    for comparison in matrix.comparisons.values():
        for v in comparison.verdicts.values():
            if v.verdict != "same" and v.details:
                details.append(
                    f"| {comparison.candidate.mlflow_version} | `{v.id}` | {v.verdict} | "
                    + "; ".join(d.replace("|", "\\|").replace("\n", " ") for d in v.details)
                    + " |"
                )
    if details:
        lines.append("## Differences from the baseline")
        lines.append("")
        lines.append("| version | scenario | verdict | detail |")
        lines.append("|---|---|---|---|")
        lines.extend(details)
        lines.append("")
    if cross_md:
        lines.append(cross_md)
    if guidance_md:
        lines.append(guidance_md)
    lines.append("## Environments")
    lines.append("")
    for run in matrix.installed:
        pkgs = ", ".join(f"{k} {v}" for k, v in sorted(run.packages.items()))
        lines.append(f"- **{run.label}** (spec `{run.spec}`, Python {run.python_version}): {pkgs}")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# cross-version section (issue #8): results/cross/*.json, rendered by
# harness.crossversion.render; passed to render() as ``cross_md``
# --------------------------------------------------------------------------
def render_cross(results_dir: Path) -> tuple[str, list[dict]]:
    """(Markdown section, JSON entries with advice) for every cross result in ``results_dir/cross``."""
    from harness.crossversion import advice, render as cross_render
    from harness.results import cross as cross_results

    found, problems = cross_results.load_all(cross_results.files_in(results_dir / "cross"))
    entries = [{**r.to_dict(), "advice": advice.derive(r)} for r in found]
    return cross_render.section(found, problems), entries
