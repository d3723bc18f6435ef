"""The gate: a pure function of the analysis -> violations and an exit code.

Policy (``[tool.mlflow-compat.gate]``, :class:`~harness.analysis.policy.GatePolicy`):
``fail_on`` (verdicts that fail; default ``regressed`` and
``newly_unsupported``), ``slowdown_factor`` (used by the timing verdicts),
``allow`` (scenario id or glob -> reason: violations there are reported but
do not fail) and ``fail_on_deprecations`` (a new deprecation fails too). A
candidate whose environment could not be installed is a violation: the bump
cannot be made as it is. Exit codes: 0 within policy, 1 on a violation (2, bad
input, is raised as ``HarnessError`` before the gate is reached).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Iterable

from harness.analysis.compare import Comparison, compare
from harness.analysis.matrix import Matrix, find_run
from harness.analysis.model import Analysis
from harness.analysis.policy import GatePolicy
from harness.errors import HarnessError
from harness.results.runs import RunFile
from harness.versions import matches


@dataclass
class Violation:
    candidate: str
    scenario: str
    verdict: str
    reason: str
    allowed_because: str | None = None

    def line(self) -> str:
        text = f"mlflow {self.candidate}: {self.scenario}: {self.verdict}"
        return text + (f" ({self.reason})" if self.reason else "")


@dataclass
class GateResult:
    baseline: RunFile
    candidates: list[RunFile]
    policy: GatePolicy
    failing: list[Violation] = field(default_factory=list)
    allowed: list[Violation] = field(default_factory=list)
    #: remarks on the allowlist (an entry matching nothing, or not needed)
    notes: list[str] = field(default_factory=list)
    #: with ``--scan``: the user's call sites that break on a candidate (harness.scan findings)
    breaking_calls: list[Any] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failing and not self.breaking_calls

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    @property
    def failing_candidates(self) -> list[str]:
        """Versions (or specs, for install failures) with a failing violation, sorted."""
        return sorted({v.candidate for v in self.failing})


# ---------------------------------------------------------------------------
# choosing runs
# ---------------------------------------------------------------------------
def tested(runs: Iterable[RunFile]) -> str:
    names = [r.mlflow_version if r.installed else f"{r.spec or r.label} (not installed)" for r in runs]
    return ", ".join(names) or "none"


def _failed_install(runs: Iterable[RunFile], spec: str) -> RunFile | None:
    return next(
        (r for r in runs if not r.installed and (r.spec == spec or r.label == spec or matches(spec, r.spec or ""))),
        None,
    )


def select_candidates(matrix: Matrix, specs: Iterable[str] = ()) -> list[RunFile]:
    """The runs to gate: named by spec (exact, family, or the pinned release), or every non-baseline run."""
    runs = matrix.runs
    specs = list(specs)
    chosen: list[RunFile] = []
    for spec in specs:
        run = find_run(runs, spec) or _failed_install(runs, spec)
        if run is None:
            raise HarnessError(
                f"no run file for candidate {spec} in the results; tested: {tested(runs)}; "
                f"run `nox -s mlflow-{spec}` first"
            )
        chosen.append(run)
    if not specs:
        chosen = [r for r in runs if r is not matrix.baseline]
    unique: list[RunFile] = []
    for run in chosen:
        if all(run is not u for u in unique):
            unique.append(run)
    return unique


# ---------------------------------------------------------------------------
# the policy
# ---------------------------------------------------------------------------
def violations_of(comparison: Comparison, policy: GatePolicy) -> list[Violation]:
    """Every (scenario, verdict) of ``comparison`` that the policy fails, allowed or not."""
    failing = policy.failing
    out = []
    for v in comparison.verdicts.values():
        for verdict in (c for c in v.changes if c in failing):
            reason = next((d for d in v.details if d), "")
            out.append(Violation(comparison.candidate.mlflow_version, v.id, verdict, reason, policy.allowed(v.id)))
    return out


def evaluate(
    analysis: Analysis, candidates: list[RunFile] | None = None, breaking_calls: Iterable[Any] = ()
) -> GateResult:
    """Apply the analysis' policy to ``candidates`` (default: every non-baseline run).

    ``breaking_calls``: the user's call sites a scan found breaking on a candidate
    (``gate --scan``); each one fails the gate too.
    """
    matrix, policy = analysis.matrix, analysis.policy
    baseline = matrix.baseline
    if baseline is None:
        raise HarnessError("no installed baseline run to gate against")
    if candidates is None:
        candidates = [r for r in matrix.runs if r is not baseline]
    result = GateResult(baseline, candidates, policy, breaking_calls=list(breaking_calls))
    violations: list[Violation] = []
    compared: set[str] = set()
    for run in candidates:
        if not run.installed:
            lines = (run.install_error or "").strip().splitlines()
            violations.append(
                Violation(run.spec or run.label, "(install)", "install_failed", lines[-1].strip()[:200] if lines else "")
            )
            continue
        comparison = matrix.comparisons.get(run.label)
        if comparison is None:  # the baseline itself, or a run outside the matrix
            comparison = compare(baseline, run, policy.slowdown_factor)
        compared.update(comparison.verdicts)
        violations.extend(violations_of(comparison, policy))
    result.failing = [v for v in violations if v.allowed_because is None]
    result.allowed = [v for v in violations if v.allowed_because is not None]
    seen = {v.scenario for v in violations}
    for key in policy.allow:
        # an id exactly, else a glob (a test id such as tests.t.py::test_x[1] holds glob characters)
        if not any(sid == key or fnmatchcase(sid, key) for sid in compared):
            result.notes.append(f"allow entry {key!r} matches no scenario in these runs")
        elif not any(sid == key or fnmatchcase(sid, key) for sid in seen):
            result.notes.append(f"allow entry {key!r} is not needed: its scenarios are within policy")
    return result
