"""The bisect section: per change, its "since" line and a strip of one square per release tested."""

from __future__ import annotations

from dataclasses import dataclass

from harness.analysis.model import Analysis
from harness.bisect.render import describe, since
from harness.report.htmlview.common import anchor, clip, row_anchor


@dataclass
class Square:
    version: str
    #: the colour: the status for a status change, else whether the release has the change
    css: str
    title: str


@dataclass
class HistoryRow:
    sid: str
    link: str
    verdict: str
    since: str
    exact: bool
    squares: list[Square]


@dataclass
class BisectBlock:
    id: str
    title: str
    rows: list[HistoryRow]
    gaps: list[str]


def bisect(analysis: Analysis) -> list[BisectBlock] | None:
    blocks = []
    for r in analysis.bisect:
        rows = [HistoryRow(h.scenario, row_anchor(h.scenario), str(h.verdict), clip(since(h), 2000), h.exact,
                           [Square(c.version, f"st-{c.status}" if h.tracked.get("what") == "status" else f"sq-{c.state}",
                                   clip(f"{c.version}: {describe(h, c)}", 500))
                            for c in h.cells])
                for h in r.changes]
        base, cand = r.baseline.get("version"), r.candidate.get("version")
        blocks.append(BisectBlock(anchor("bisect", f"{base}-{cand}"), f"mlflow {base} → {cand}", rows,
                                  [g.version for g in r.gaps]))
    return blocks or None
