"""The API section in text: one terminal line per candidate, and the Markdown section of matrix.md."""

from __future__ import annotations

from harness.analysis.api import ApiSection, CoveredChange
from harness.analysis.matrix import Matrix
from harness.report.escape import md, md_cell, md_code, md_table, term

#: the rollback list in matrix.md stops here (matrix.json has every change)
ROLLBACK_LIMIT = 100


def terminal_lines(sections: list[ApiSection]) -> list[str]:
    return [term(s.summary(), one_line=True) for s in sections]


def covered_text(matrix: Matrix, section: ApiSection, change: CoveredChange) -> str:
    """``evaluation.threshold.higher_is_better: pass on 2.9.2, error on 3.17.2`` per covering scenario."""
    runs = {r.mlflow_version: r for r in matrix.installed}
    parts = []
    for sid in change.scenarios:
        cells = []
        for version in (section.baseline, section.candidate):
            cell = matrix.cell(runs[version], sid) if version in runs else None
            if cell is not None:
                cells.append(f"{cell.status} on {version}")
        parts.append(f"{md_code(sid, table=True)}" + (f": {', '.join(cells)}" if cells else ""))
    return "; ".join(parts)


def _rows(matrix: Matrix, section: ApiSection, changes: list[CoveredChange]) -> list[list[str]]:
    rows = []
    for item in changes:
        c = item.change
        where = f"{c.file}:{c.line}" if c.file else c.path
        rows.append([md_code(where, table=True), str(c.kind), md_cell(c.message or c.path),
                     covered_text(matrix, section, item)])
    return rows


def markdown(matrix: Matrix, sections: list[ApiSection]) -> list[str]:
    """``## API changes`` for matrix.md: counts by kind, then the user-facing changes."""
    if not sections:
        return []
    lines = ["## API changes (static, from each release's source)", "",
             "What `python -m harness api` found by reading both releases with griffe (nothing imported): "
             "breaking changes for code written for the baseline (upgrade) and, on a rollback, for code "
             "written for the candidate. A change is *covered* when a scenario's own code calls it; its "
             "cells show what happened when it ran. `python -m harness scan PATH` finds them in your code.", ""]
    for s in sections:
        lines += [f"### mlflow {md(s.baseline)} → {md(s.candidate)}", "", md(s.summary()), ""]
        kinds = sorted(set(s.by_kind["upgrade"]) | set(s.by_kind["rollback"]))
        if kinds:
            rows = [[k, str(s.by_kind["upgrade"].get(k, 0)), str(s.by_kind["rollback"].get(k, 0))] for k in kinds]
            lines += [md_table(["user-facing change", "upgrade", "rollback"], rows), ""]
        for direction, title in (("upgrade", f"code written for {s.baseline}, run on {s.candidate}"),
                                 ("rollback", f"code written for {s.candidate}, run on {s.baseline}")):
            changes = s.changes[direction]
            if not changes:
                continue
            shown = changes if direction == "upgrade" else changes[:ROLLBACK_LIMIT]
            lines += [f"<details><summary>{len(changes)} user-facing changes: {md(title)}</summary>", "",
                      md_table(["where", "kind", "change", "covered by"], _rows(matrix, s, shown)), ""]
            if len(shown) < len(changes):
                lines += [f"{len(changes) - len(shown)} more in matrix.json.", ""]
            lines += ["</details>", ""]
    return lines
