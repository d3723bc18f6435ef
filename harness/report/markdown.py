"""``results/matrix.md`` and ``results/guidance.md``: the analysis in Markdown."""

from __future__ import annotations

from harness.analysis.guidance import Guidance
from harness.analysis.model import Analysis
from harness.outcomes import Verdict
from harness.report import cross
from harness.report.terminal import render_table, render_timings, summary_lines


def _md(text: object) -> str:
    return str(text).replace("\n", " ").replace("|", "\\|")


def render_guidance(guidance: Guidance) -> str:
    """``guidance.md`` (also the guidance section of ``matrix.md``)."""
    lines = ["## Guidance", ""]
    lines += ["### Rollback", ""]
    if not guidance.rollback:
        lines += ["No candidate has breaking changes against the baseline.", ""]
    for r in guidance.rollback:
        lines.append(f"- {_md(r.summary)}")
        if r.requirement:
            lines += ["", "  ```", f"  {r.requirement}", f"  {r.pip}", "  ```"]
        lines.append("")
        for s in r.forced_by:
            lines.append(f"  - `{s.id}`: {s.verdict}" + (f" ({_md(s.detail)})" if s.detail else ""))
        lines.append("")
    lines += ["### Migration hints", ""]
    if not guidance.migrations:
        lines += ["No idiom with a known replacement breaks or warns on a candidate.", ""]
    for m in guidance.migrations:
        lines.append(f"- {_md(m.summary)}")
        if m.old_code or m.new_code:
            lines += ["", "  ```diff"]
            lines += [f"  - {line}" for line in (m.old_code or m.old).splitlines()]
            lines += [f"  + {line}" for line in (m.new_code or m.new).splitlines()]
            lines += ["  ```"]
        lines.append("")
    lines += ["### Deprecations seen on the candidates", ""]
    if not guidance.deprecations:
        lines += ["None.", ""]
    for d in guidance.deprecations:
        lines.append(f"- {_md(d.summary)}")
    if guidance.deprecations:
        lines.append("")
    if guidance.cross:
        lines += ["### Cross-version compatibility", ""]
        lines += [f"- {_md(a.summary)}" for a in guidance.cross]
        lines.append("")
    return "\n".join(lines)


def render(analysis: Analysis) -> str:
    """``matrix.md``: the matrix, timings, summary, install failures, differences,
    cross-version checks, guidance and environments."""
    matrix = analysis.matrix
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
            if v.verdict != Verdict.SAME and v.details:
                details.append(
                    f"| {comparison.candidate.mlflow_version} | `{v.id}` | {v.verdict} | "
                    + "; ".join(_md(d) for d in v.details)
                    + " |"
                )
    if details:
        lines.append("## Differences from the baseline")
        lines.append("")
        lines.append("| version | scenario | verdict | detail |")
        lines.append("|---|---|---|---|")
        lines.extend(details)
        lines.append("")
    cross_md = cross.section(analysis)
    if cross_md:
        lines.append(cross_md)
    lines.append(render_guidance(analysis.guidance))
    lines.append("## Environments")
    lines.append("")
    for run in matrix.installed:
        pkgs = ", ".join(f"{k} {v}" for k, v in sorted(run.packages.items()))
        lines.append(f"- **{run.label}** (spec `{run.spec}`, Python {run.python_version}): {pkgs}")
    lines.append("")
    return "\n".join(lines)
