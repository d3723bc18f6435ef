"""Policy -> exit code. 0 within policy, 1 on a violation, 2 on bad input.

First version: fails on the policy's verdicts. See issue #4 for the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.config import Config
from harness.errors import HarnessError


def apply_gate(matrix, config: Config, candidates: list[str] | None = None) -> int:
    policy = config.gate
    violations = []
    for comparison in matrix.comparisons.values():
        for v in comparison.verdicts.values():
            if v.id in policy.allow:
                continue
            hits = [c for c in v.changes if c in policy.fail_on]
            if hits:
                violations.append((comparison.candidate.mlflow_version, v.id, hits[0]))
    for version, sid, verdict in violations:
        print(f"GATE: {version}: {sid} {verdict}")
    print(f"gate: {'FAIL' if violations else 'PASS'} ({len(violations)} violations)")
    return 1 if violations else 0


def candidate_from_file(path: Path) -> str:
    raise HarnessError("--candidate-from is not implemented yet")


def run_gate(config: Config, run_paths=None, baseline=None, candidates=None) -> int:
    from harness.report import load_matrix

    matrix = load_matrix(config, run_paths, baseline)
    return apply_gate(matrix, config, candidates)
