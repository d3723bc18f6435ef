"""The analysis: every result file turned, once per command, into one typed record.

``analyse(inputs, policy, baseline)`` builds the matrix (columns, cells, one
comparison per candidate), the guidance under the configured policy and the
cross-version advice. Every renderer and the gate are pure functions of the
returned :class:`Analysis`; nothing below this stage reads files or prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.analysis.api import ApiSection, api_sections
from harness.analysis.bisection import for_baseline
from harness.analysis.crossadvice import CrossAdvice, for_results
from harness.analysis.deprecations import LibraryWarningGroup, library_warning_groups
from harness.analysis.guidance import Guidance, build_guidance
from harness.analysis.inputs import Inputs
from harness.analysis.matrix import Matrix, build_matrix
from harness.analysis.policy import GatePolicy
from harness.results.bisect import BisectResult
from harness.results.cross import CrossResult


@dataclass
class Analysis:
    matrix: Matrix
    guidance: Guidance
    policy: GatePolicy
    cross: list[CrossResult] = field(default_factory=list)
    cross_problems: list[str] = field(default_factory=list)
    #: warnings no user code can act on, grouped: shown, never a verdict
    library_warnings: list[LibraryWarningGroup] = field(default_factory=list)
    #: per candidate, the static API diff against the baseline (when results/api has it)
    api: list[ApiSection] = field(default_factory=list)
    #: bisects from the baseline: where each change happened, release by release
    bisect: list[BisectResult] = field(default_factory=list)

    def advice_for(self, result: CrossResult) -> list[CrossAdvice]:
        pair = (result.baseline.mlflow_version, result.candidate.mlflow_version)
        return [a for a in self.guidance.cross if a.pair == pair]

    def cross_dicts(self) -> list[dict[str, Any]]:
        """Each cross result with its advice, as matrix.json carries them."""
        return [{**r.to_dict(), "advice": [a.to_dict() for a in self.advice_for(r)]} for r in self.cross]


def analyse(inputs: Inputs, policy: GatePolicy, baseline_spec: str | None) -> Analysis:
    matrix = build_matrix(inputs.runs, baseline_spec, policy.slowdown_factor, inputs.run_problems)
    baseline = matrix.baseline.mlflow_version if matrix.baseline else None
    bisected = for_baseline(inputs.bisect, baseline)
    guidance = build_guidance(matrix, policy, for_results(inputs.cross), bisected)
    api = api_sections(inputs.api, baseline, [r.mlflow_version for r in matrix.candidates], inputs.coverage)
    return Analysis(matrix, guidance, policy, inputs.cross, inputs.cross_problems, library_warning_groups(matrix), api,
                    bisected)
