"""``results/matrix.md`` and ``results/guidance.md``: the analysis in Markdown.

Every value that came from a result file goes through :mod:`harness.report.escape`
(``md`` in text and table cells, ``md_code`` for ids, ``md_fence`` for blocks);
tables are tabulate's ``github`` format.
"""

from __future__ import annotations

from harness.analysis.guidance import Guidance
from harness.analysis.model import Analysis
from harness.outcomes import Verdict
from harness.report import apitext, bisecttext, cross
from harness.report.escape import md, md_cell as cell, md_code, md_fence, md_table as table
from harness.report.terminal import render_table, render_timings, summary_lines



#: a difference's detail is cut here in matrix.md (matrix.json and report.html keep it whole)
DETAIL_LIMIT = 300


def _cut(text: str, limit: int = DETAIL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_guidance(guidance: Guidance) -> str:
    """``guidance.md`` (also the guidance section of ``matrix.md``)."""
    lines = ["## Guidance", ""]
    lines += ["### Rollback", ""]
    if not guidance.rollback:
        lines += ["No candidate has breaking changes against the baseline.", ""]
    for r in guidance.rollback:
        lines.append(f"- {md(r.summary)}")
        if r.requirement:
            lines += ["", *(f"  {line}" for line in md_fence(f"{r.requirement}\n{r.pip}"))]
        lines.append("")
        for s in r.forced_by:
            lines.append(f"  - {md_code(s.id)}: {s.verdict}" + (f" ({md(s.detail)})" if s.detail else ""))
        lines.append("")
    lines += ["### Migration hints", ""]
    if not guidance.migrations:
        lines += ["No idiom with a known replacement breaks or warns on a candidate.", ""]
    for m in guidance.migrations:
        lines.append(f"- {md(m.summary)}")
        if m.old_code or m.new_code:
            diff = [f"- {line}" for line in (m.old_code or m.old).splitlines()]
            diff += [f"+ {line}" for line in (m.new_code or m.new).splitlines()]
            lines += ["", *(f"  {line}" for line in md_fence("\n".join(diff), "diff"))]
        lines.append("")
    lines += ["### Deprecations seen on the candidates", ""]
    if not guidance.deprecations:
        lines += ["None.", ""]
    for d in guidance.deprecations:
        lines.append(f"- {md(d.summary)}")
    if guidance.deprecations:
        lines.append("")
    if guidance.cross:
        lines += ["### Cross-version compatibility", ""]
        lines += [f"- {md(a.summary)}" for a in guidance.cross]
        lines.append("")
    return "\n".join(lines)


def render(analysis: Analysis) -> str:
    """``matrix.md``: the matrix, timings, summary, install failures, differences,
    cross-version checks, guidance and environments."""
    matrix = analysis.matrix
    lines = ["# MLflow compatibility matrix", ""]
    if matrix.baseline is not None:
        lines.append(f"Baseline: **mlflow {md(matrix.baseline.mlflow_version)}**. "
                     "Cells: status, median time, `!` when warnings were captured, "
                     "`[changes]` against the baseline, most severe first.")
        lines.append("")
    if matrix.installed:
        lines.append(render_table(matrix, tablefmt="github", escape=cell))
        lines.append("")
    timings = render_timings(matrix, tablefmt="github", escape=cell)
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
    summary = summary_lines(matrix, escape=md)
    if summary:
        lines.append("## Summary")
        lines.append("")
        lines.extend(f"- {line}" for line in summary)
        lines.append("")
    if matrix.install_failures:
        lines.append("## Versions that could not be installed")
        lines.append("")
        for run in matrix.install_failures:
            lines.append(f"### {md(run.spec or run.label)}")
            lines.append("")
            lines.extend(md_fence((run.install_error or "no output").strip()))
            lines.append("")
    details = [
        [cell(comparison.candidate.mlflow_version), md_code(v.id, table=True), str(v.verdict),
         cell(_cut("; ".join(v.details)))]
        for comparison in matrix.comparisons.values()
        for v in comparison.verdicts.values()
        if v.verdict != Verdict.SAME and v.details
    ]
    if details:
        lines.append("## Differences from the baseline")
        lines.append("")
        lines.append(table(["version", "scenario", "verdict", "detail"], details))
        lines.append("")
    lines += bisecttext.markdown(analysis.bisect)
    lines += apitext.markdown(matrix, analysis.api)
    cross_md = cross.section(analysis)
    if cross_md:
        lines.append(cross_md)
    lines.append(render_guidance(analysis.guidance))
    if analysis.library_warnings:
        lines += ["## Library warnings", "",
                  "Raised inside a library (or inside MLflow on its own behalf) where no user code can act: "
                  "shown here, never a verdict.", ""]
        lines += [f"- {md(g.summary)}" for g in analysis.library_warnings]
        lines.append("")
    lines.append("## Environments")
    lines.append("")
    for run in matrix.installed:
        pkgs = ", ".join(f"{k} {v}" for k, v in sorted(run.packages.items()))
        lines.append(f"- **{md(run.label)}** (spec {md_code(run.spec)}, Python {md(run.python_version)}): {md(pkgs)}")
    lines.append("")
    return "\n".join(lines)
