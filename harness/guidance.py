"""Rollback pins and migration hints, computed from the matrix (never per version).

First version: rollback only. See issue #4 for migration hints and deprecations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.report.model import Matrix


@dataclass
class Guidance:
    rollback: list[dict[str, Any]] = field(default_factory=list)
    migrations: list[dict[str, Any]] = field(default_factory=list)
    deprecations: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"rollback": self.rollback, "migrations": self.migrations, "deprecations": self.deprecations}

    def terminal_lines(self) -> list[str]:
        return [r["summary"] for r in self.rollback]

    def to_markdown(self) -> str:
        lines = ["## Guidance", ""]
        if not self.rollback:
            lines.append("No candidate regresses against the baseline.")
        for r in self.rollback:
            lines.append(f"- {r['summary']}")
        lines.append("")
        return "\n".join(lines)


def build_guidance(matrix: Matrix) -> Guidance:
    guidance = Guidance()
    for label, comparison in matrix.comparisons.items():
        regressed = [v.id for v in comparison.with_verdict("regressed")]
        if regressed:
            guidance.rollback.append(
                {
                    "candidate": comparison.candidate.mlflow_version,
                    "scenarios": regressed,
                    "summary": f"{comparison.candidate.mlflow_version}: {len(regressed)} regressions "
                    f"({', '.join(regressed[:5])})",
                }
            )
    return guidance
