"""The API diff as terminal lines: counts by kind per direction, then the user-facing changes.

Every text that came from a release's source (paths, defaults, messages) is
made printable first: a default value is arbitrary source text.
"""

from __future__ import annotations

from harness.report.escape import term
from harness.results.api import ApiChange, ApiDiff

_TITLES = {"upgrade": "upgrade ", "rollback": "rollback"}


def printable(text: object) -> str:
    """``text`` as one terminal line, control characters (escape sequences, newlines) shown escaped."""
    return term(text, one_line=True)


def change_line(change: ApiChange) -> str:
    """``mlflow/models/evaluation/validation.py:54: parameter_removed: mlflow.models.MetricThreshold: ...``"""
    where = f"{change.file}:{change.line or 0}" if change.file else change.path
    return printable(f"{where}: {change.kind.value}: {change.message or change.path}")


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "none"


def direction_lines(diff: ApiDiff, direction: str, limit: int | None = None) -> list[str]:
    """One header line with the counts, then up to ``limit`` user-facing changes (None: all)."""
    old, new = (diff.baseline, diff.candidate) if direction == "upgrade" else (diff.candidate, diff.baseline)
    every, facing = diff.direction(direction), diff.direction(direction, user_facing_only=True)
    lines = [printable(
        f"{_TITLES[direction]} {old} -> {new}: {len(every)} breaking changes, {len(facing)} user-facing "
        f"({counts_text(diff.counts(direction, user_facing_only=True))})"
    )]
    shown = facing if limit is None else facing[:limit]
    lines += [f"    {change_line(c)}" for c in shown]
    if len(shown) < len(facing):
        lines.append(f"    ... {len(facing) - len(shown)} more user-facing changes in the file (--limit 0 shows all)")
    return lines
