"""Guidance: what to do about what the matrix shows, as typed records.

* ``rollback``: per candidate with breaking verdicts (the policy's failing
  verdicts, allowlist applied), the newest tested version without them
  (:mod:`harness.analysis.rollback`);
* ``migrations``: replace an idiom that breaks or warns with its replacement,
  now or with the bump (:mod:`harness.analysis.migrations`);
* ``deprecations``: seen on the candidates, grouped, new ones first: what
  breaks next (:mod:`harness.analysis.deprecations`);
* ``cross``: what the cross-version checks observed (database upgrade,
  upgrade order, artifact formats; :mod:`harness.analysis.crossadvice`).

Nothing here is written per version: every record is derived from results.
``to_dict()`` is the shape ``matrix.json`` carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.analysis.crossadvice import CrossAdvice
from harness.analysis.deprecations import DeprecationGroup, deprecation_groups
from harness.analysis.matrix import Matrix
from harness.analysis.migrations import Migration, migrations
from harness.analysis.policy import GatePolicy
from harness.analysis.rollback import Rollback, rollbacks
from harness.results.bisect import BisectResult


@dataclass
class Guidance:
    rollback: list[Rollback] = field(default_factory=list)
    migrations: list[Migration] = field(default_factory=list)
    deprecations: list[DeprecationGroup] = field(default_factory=list)
    cross: list[CrossAdvice] = field(default_factory=list)

    def rollback_for(self, label: str) -> Rollback | None:
        return next((r for r in self.rollback if r.candidate_label == label), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rollback": [r.to_dict() for r in self.rollback],
            "migrations": [m.to_dict() for m in self.migrations],
            "deprecations": [d.to_dict() for d in self.deprecations],
            "notes": [a.as_note() for a in self.cross],
        }


def build_guidance(
    matrix: Matrix, policy: GatePolicy, cross: list[CrossAdvice] | None = None,
    bisected: list[BisectResult] | None = None,
) -> Guidance:
    """Guidance for every candidate of ``matrix`` under ``policy`` (the gate's policy); bisect
    results (from the matrix's baseline) prove rollback bounds and when replacements work."""
    return Guidance(
        rollback=rollbacks(matrix, policy, bisected),
        migrations=migrations(matrix, bisected),
        deprecations=deprecation_groups(matrix),
        cross=list(cross or []),
    )
