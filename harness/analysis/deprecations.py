"""What a deprecation is, when two are the same, and how they group for guidance.

A deprecation is a warning of a deprecation category (or one whose message
says "deprecat"). Two runs of the same code raise it with different run ids,
uuids, addresses and temp paths in the text: :func:`message_key` blanks them,
so an A/A comparison stays ``same``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.analysis.text import first_line
from harness.results.runs import ScenarioResult

DEPRECATION_CATEGORIES = ("DeprecationWarning", "FutureWarning", "PendingDeprecationWarning")


def is_deprecation(warning: dict[str, Any]) -> bool:
    category = str(warning.get("category", ""))
    message = str(warning.get("message", "")).lower()
    return category in DEPRECATION_CATEGORIES or "deprecat" in message


_VOLATILE = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\b0x[0-9a-f]{6,16}\b"), "<addr>"),
    (re.compile(r"/tmp/[^\s'\"]+"), "<tmp>"),
)


def message_key(message: str) -> str:
    """A warning message with run ids, uuids, addresses and temp paths blanked.

    Two runs of the same code raise the same warning with a different run id
    in it; comparing raw messages would call that a new deprecation.
    """
    text = str(message)
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def deprecations(result: ScenarioResult) -> dict[tuple[str, str], dict[str, Any]]:
    """The deprecation warnings of one cell, keyed by (category, normalised message)."""
    return {
        (str(w.get("category", "")), message_key(w.get("message", ""))): w
        for w in result.warnings
        if is_deprecation(w)
    }


@dataclass
class DeprecationGroup:
    """One deprecation seen on the candidates, with the versions and scenarios that raised it."""

    category: str
    message: str
    scenarios: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    on_baseline: bool = False
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deprecation_groups(matrix) -> list[DeprecationGroup]:
    """Deprecations seen on the candidates grouped by key: new since the baseline first."""
    groups: dict[tuple[str, str], DeprecationGroup] = {}
    baseline_keys: set[tuple[str, str]] = set()
    if matrix.baseline is not None:
        for cell in matrix.baseline.scenarios:
            baseline_keys.update(deprecations(cell))
    for run in matrix.candidates:
        for cell in run.scenarios:
            for key, warning in deprecations(cell).items():
                group = groups.setdefault(key, DeprecationGroup(
                    category=key[0], message=str(warning.get("message", "")), on_baseline=key in baseline_keys,
                ))
                if cell.id not in group.scenarios:
                    group.scenarios.append(cell.id)
                if run.mlflow_version not in group.versions:
                    group.versions.append(run.mlflow_version)
    out = sorted(groups.values(), key=lambda g: (g.on_baseline, -len(g.scenarios), g.message))
    for g in out:
        scen = ", ".join(g.scenarios[:5]) + (f", +{len(g.scenarios) - 5} more" if len(g.scenarios) > 5 else "")
        seen = "also on the baseline" if g.on_baseline else "new since the baseline"
        g.summary = f"{g.category}: {first_line(g.message, 160)} [{', '.join(g.versions)}; {seen}; raised by {scen}]"
    return out
