"""Where each change happened (bisect results) in text: terminal lines and the matrix.md section."""

from __future__ import annotations

from harness.analysis.text import counted
from harness.bisect.render import since
from harness.outcomes import Verdict
from harness.report.escape import md_cell, md_code, md_table, term
from harness.results.bisect import BisectResult

#: the terminal lists the changes that break or fix something; the rest is in matrix.md
TERMINAL_VERDICTS = (Verdict.REGRESSED, Verdict.NEWLY_UNSUPPORTED, Verdict.FIXED)


def terminal_lines(results: list[BisectResult]) -> list[str]:
    lines = []
    for r in results:
        exact = sum(1 for h in r.changes if h.exact)
        lines.append(f"BISECT {term(r.baseline.get('version'))} -> {term(r.candidate.get('version'))}: "
                     f"{counted(len(r.changes), 'change')}, {exact} narrowed to one release "
                     "(results/matrix.md lists them)")
        lines += [f"SINCE: {term(h.scenario, one_line=True)} ({h.verdict}): {term(since(h), one_line=True)}"
                  for h in r.changes if h.verdict in TERMINAL_VERDICTS]
    return lines


def markdown(results: list[BisectResult]) -> list[str]:
    if not results:
        return []
    lines = ["## Where each change happened (bisect)", "",
             "Every change between the baseline and the candidate, followed release by release "
             "(`nox -s bisect`): the first release with it, every flip when the history is not monotonic, "
             "and the releases left untested.", ""]
    for r in results:
        lines += [f"### mlflow {md_cell(r.baseline.get('version'))} → {md_cell(r.candidate.get('version'))}", ""]
        rows = [[md_code(h.scenario, table=True), str(h.verdict), md_cell(_tracked(h)), md_cell(since(h)),
                 "yes" if h.exact else "no"] for h in r.changes]
        lines += [md_table(["scenario", "verdict", "tracked", "since", "exact"], rows), ""]
        if r.gaps:
            lines += [f"Releases that did not install: {md_cell(', '.join(g.version for g in r.gaps))}.", ""]
    return lines


def _tracked(history) -> str:
    what, key = history.tracked.get("what"), history.tracked.get("key")
    return "status" if what == "status" else f"{what} {key}"
