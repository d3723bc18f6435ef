"""The API section of the analysis: per candidate, what the static API diff
(``results/api/<baseline>__<candidate>.json``) found against the baseline, and
which runtime scenario covers each change.

Coverage is observed, not listed: the scenario modules (the shipped
``scenarios/`` and the user's ``scenario_paths``) are resolved with the scan's
own resolver and rules (:mod:`harness.scan.evidence`), so a scenario covers a
change when its body calls the changed API; its cells are then the matrix's.
Only user-facing changes are listed; the counts cover every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.results.api import DIRECTIONS, ApiChange, ApiDiff


@dataclass
class CoveredChange:
    change: ApiChange
    #: scenario ids whose own body hits this change
    scenarios: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.change.to_dict(), "covered_by": self.scenarios}


@dataclass
class ApiSection:
    baseline: str
    candidate: str
    source: str
    #: direction -> {"all": n, "user_facing": n}
    totals: dict[str, dict[str, int]]
    #: direction -> user-facing changes by kind
    by_kind: dict[str, dict[str, int]]
    #: direction -> the user-facing changes, each with the scenarios covering it
    changes: dict[str, list[CoveredChange]]

    def summary(self) -> str:
        up, down = self.totals["upgrade"], self.totals["rollback"]
        return (f"API {self.baseline} -> {self.candidate}: {up['user_facing']} user-facing breaking changes "
                f"({up['all']} in all); on a rollback to {self.baseline}: {down['user_facing']} ({down['all']})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "candidate": self.candidate,
            "source": self.source,
            "totals": self.totals,
            "by_kind": self.by_kind,
            "changes": {d: [c.to_dict() for c in self.changes[d]] for d in DIRECTIONS},
        }


def coverage(diffs: list[ApiDiff], scenario_paths: Iterable[Path]) -> dict[tuple, list[str]]:
    """Change identity -> the scenarios covering it (empty without diffs: nothing is parsed)."""
    if not diffs:
        return {}
    from harness.scan.changes import ChangeIndex
    from harness.scan.evidence import Evidence, scenario_uses

    scenarios, _ = scenario_uses(scenario_paths)
    return Evidence(scenarios, ChangeIndex(diffs), []).covering


def api_sections(
    diffs: list[ApiDiff], baseline: str | None, candidates: list[str], covering: dict[tuple, list[str]]
) -> list[ApiSection]:
    """One section per candidate whose diff against ``baseline`` exists, in candidate order."""
    from harness.scan.changes import Entry

    by_pair = {(d.baseline, d.candidate): d for d in diffs}
    sections = []
    for candidate in candidates:
        diff = by_pair.get((baseline, candidate))
        if diff is None:
            continue
        # covered changes first: those the matrix has evidence for
        changes = {
            d: sorted((CoveredChange(c, covering.get(Entry(c, diff.baseline, diff.candidate).identity(), []))
                       for c in diff.direction(d, user_facing_only=True)), key=lambda item: not item.scenarios)
            for d in DIRECTIONS
        }
        sections.append(ApiSection(
            baseline=diff.baseline,
            candidate=diff.candidate,
            source=str(diff.path or ""),
            totals={d: {"all": len(diff.direction(d)), "user_facing": len(changes[d])} for d in DIRECTIONS},
            by_kind={d: diff.counts(d, user_facing_only=True) for d in DIRECTIONS},
            changes=changes,
        ))
    return sections
