"""The API section (static diff per candidate, with covering scenarios) and the
library-warnings section: plain data for api.html.j2 and library_warnings.html.j2."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.analysis.api import ApiSection, CoveredChange
from harness.analysis.model import Analysis
from harness.report.htmlview.common import anchor, clip, row_anchor

#: rows per list in the page; matrix.json keeps every change
LIST_LIMIT = 300


@dataclass
class Covering:
    sid: str
    link: str
    #: "pass on 2.9.2", "error on 3.17.2"
    cells: list[str]


@dataclass
class ChangeRow:
    where: str
    kind: str
    message: str
    covering: list[Covering]


@dataclass
class ChangeList:
    direction: str
    title: str
    total: int
    rows: list[ChangeRow]


@dataclass
class ApiBlock:
    id: str
    title: str
    summary: str
    kinds: list[tuple[str, int, int]]
    lists: list[ChangeList] = field(default_factory=list)


def _covering(analysis: Analysis, section: ApiSection, item: CoveredChange) -> list[Covering]:
    runs = {r.mlflow_version: r for r in analysis.matrix.installed}
    out = []
    for sid in item.scenarios:
        cells = []
        for version in (section.baseline, section.candidate):
            cell = analysis.matrix.cell(runs[version], sid) if version in runs else None
            if cell is not None:
                cells.append(f"{cell.status} on {version}")
        out.append(Covering(sid, row_anchor(sid), cells))
    return out


def api(analysis: Analysis) -> list[ApiBlock] | None:
    blocks = []
    for s in analysis.api:
        kinds = sorted(set(s.by_kind["upgrade"]) | set(s.by_kind["rollback"]))
        block = ApiBlock(anchor("api", f"{s.baseline}-{s.candidate}"), f"mlflow {s.baseline} → {s.candidate}",
                         s.summary(), [(k, s.by_kind["upgrade"].get(k, 0), s.by_kind["rollback"].get(k, 0)) for k in kinds])
        for direction, title in (("upgrade", f"code written for {s.baseline}, run on {s.candidate}"),
                                 ("rollback", f"code written for {s.candidate}, run on {s.baseline}")):
            changes = s.changes[direction]
            rows = [ChangeRow(clip(f"{c.change.file}:{c.change.line}" if c.change.file else c.change.path, 300),
                              str(c.change.kind), clip(c.change.message or c.change.path, 2000),
                              _covering(analysis, s, c)) for c in changes[:LIST_LIMIT]]
            block.lists.append(ChangeList(direction, title, len(changes), rows))
        blocks.append(block)
    return blocks or None


@dataclass
class LibraryWarningRow:
    origin: str
    category: str
    message: str
    versions: str
    scenarios: list[Covering]


def library_warnings(analysis: Analysis) -> list[LibraryWarningRow] | None:
    rows = [LibraryWarningRow(g.origin, g.category, clip(g.message, 2000), ", ".join(g.versions),
                              [Covering(sid, row_anchor(sid), []) for sid in g.scenarios])
            for g in analysis.library_warnings]
    return rows or None
