"""Policy -> exit code: 0 within policy, 1 on a violation, 2 on bad input.

Policy (``[tool.mlflow-compat.gate]``): ``fail_on`` (verdicts that fail,
default ``regressed`` and ``newly_unsupported``), ``slowdown_factor`` (used by
the timing verdicts), ``allow`` (scenario id or glob -> reason: violations
there are reported but do not fail) and ``fail_on_deprecations`` (a new
deprecation, ``newly_warns``, fails too). A candidate whose environment could
not be installed is a violation: the bump cannot be made as it is.

Candidates come from ``--candidate`` (spec or exact version), from
``--candidate-from`` (the mlflow requirement in a requirements file or a
pyproject.toml, the way a bump pull request changes it), or default to every
run other than the baseline. A candidate or baseline without a run file is bad
input (exit 2), never a silent pass.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Callable, Iterable

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from harness.compare import Comparison, compare, find_run, version_key
from harness.config import Config, GatePolicy
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


# ---------------------------------------------------------------------------
# --candidate-from
# ---------------------------------------------------------------------------
def _requirement_lines(path: Path) -> list[str]:
    """Requirement strings from a requirements file or a pyproject.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"--candidate-from {path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise HarnessError(f"--candidate-from {path}: invalid TOML: {exc}") from None
        project = data.get("project") or {}
        lines = list(project.get("dependencies") or [])
        for group in (project.get("optional-dependencies") or {}).values():
            lines.extend(group)
        for group in (data.get("dependency-groups") or {}).values():
            lines.extend(item for item in group if isinstance(item, str))
        poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
        for name, value in poetry.items():
            version = value.get("version") if isinstance(value, dict) else value
            if canonicalize_name(name) == "mlflow" and isinstance(version, str):
                if not re.match(r"^\s*(==|>=|<=|!=|~=|<|>)", version):
                    if not re.match(r"^\d+(\.\d+)*$", version.strip()):
                        raise HarnessError(
                            f"--candidate-from {path}: poetry constraint mlflow = {version!r} is not "
                            "supported; use a PEP 440 specifier such as '==3.1.4' or '>=3.1,<3.2'"
                        )
                    version = f"=={version.strip()}"
                lines.append(f"mlflow{version}")
        return [line for line in lines if isinstance(line, str)]
    joined = re.sub(r"\\\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.split(r"(^|\s)#", raw, maxsplit=1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def candidate_from_file(path: Path) -> SpecifierSet:
    """The mlflow version constraint pinned in ``path`` (``==3.1.4``, ``>=3.1,<3.2``)."""
    path = Path(path)
    found: list[Requirement] = []
    for line in _requirement_lines(path):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue  # not ours to judge: pip will complain about it itself
        if canonicalize_name(req.name) == "mlflow":
            found.append(req)
    if not found:
        raise HarnessError(f"--candidate-from {path}: no mlflow requirement found")
    spec = SpecifierSet()
    for req in found:
        spec &= req.specifier
    if not str(spec):
        raise HarnessError(
            f"--candidate-from {path}: mlflow is not pinned; pin it like 'mlflow==3.1.4' or 'mlflow>=3.1,<3.2'"
        )
    return spec


def _in_set(spec: SpecifierSet, version: str) -> bool:
    try:
        return spec.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


# ---------------------------------------------------------------------------
# choosing runs
# ---------------------------------------------------------------------------
def _tested(runs: Iterable[RunFile]) -> str:
    names = [r.mlflow_version if r.installed else f"{r.spec or r.label} (not installed)" for r in runs]
    return ", ".join(names) or "none"


def _failed_install(runs: Iterable[RunFile], spec: str) -> RunFile | None:
    return next(
        (r for r in runs if not r.installed and (r.spec == spec or r.label == spec or matches(spec, r.spec or ""))),
        None,
    )


def select_candidates(
    matrix, specs: Iterable[str] = (), constraint: SpecifierSet | None = None, source: Path | None = None
) -> list[RunFile]:
    """The runs to gate: named by spec, by a requirement constraint, or every non-baseline run."""
    runs = matrix.runs
    chosen: list[RunFile] = []
    hint = f"; tested: {_tested(runs)}"
    for spec in specs:
        run = find_run(runs, spec) or _failed_install(runs, spec)
        if run is None:
            raise HarnessError(
                f"no run file for candidate {spec} in the results{hint}; run `nox -s mlflow-{spec}` first"
            )
        chosen.append(run)
    if constraint is not None:
        inside = [r for r in runs if r.installed and _in_set(constraint, r.mlflow_version)]
        if not inside:
            raise HarnessError(
                f"no run file for candidate mlflow{constraint} (from {source}){hint}; "
                "add a matching version to the matrix and run it first"
            )
        chosen.append(max(inside, key=version_key))
    if not specs and constraint is None:
        chosen = [r for r in runs if r is not matrix.baseline]
    unique: list[RunFile] = []
    for run in chosen:
        if all(run is not u for u in unique):
            unique.append(run)
    return unique


# ---------------------------------------------------------------------------
# the policy
# ---------------------------------------------------------------------------
def failing_verdicts(policy: GatePolicy) -> tuple[str, ...]:
    verdicts = tuple(policy.fail_on)
    if policy.fail_on_deprecations and "newly_warns" not in verdicts:
        verdicts += ("newly_warns",)
    return verdicts


def violations_of(comparison: Comparison, policy: GatePolicy) -> list[Violation]:
    """Every (scenario, verdict) of ``comparison`` that the policy fails, allowed or not."""
    from harness.guidance import allowed

    failing = failing_verdicts(policy)
    out = []
    for v in comparison.verdicts.values():
        for verdict in (c for c in v.changes if c in failing):
            reason = next((d for d in v.details if d), "")
            out.append(
                Violation(comparison.candidate.mlflow_version, v.id, verdict, reason, allowed(v.id, policy.allow))
            )
    return out


def apply_gate(
    matrix,
    config: Config,
    candidates: list[RunFile] | None = None,
    out: Callable[[str], Any] = print,
) -> int:
    """Apply ``config.gate`` to ``candidates`` (default: every non-baseline run); 0 or 1."""
    from harness.guidance import build_guidance

    policy = config.gate
    baseline = matrix.baseline
    if baseline is None:
        raise HarnessError("no installed baseline run to gate against")
    if candidates is None:
        candidates = [r for r in matrix.runs if r is not baseline]
    comparisons: dict[str, Comparison] = {}
    violations: list[Violation] = []
    for run in candidates:
        if not run.installed:
            first = (run.install_error or "").strip().splitlines()
            violations.append(
                Violation(run.spec or run.label, "(install)", "install_failed", first[-1][:200] if first else "")
            )
            continue
        comparison = matrix.comparisons.get(run.label)
        if comparison is None:  # the baseline itself, or a run outside the matrix
            comparison = compare(baseline, run, policy.slowdown_factor)
        comparisons[run.label] = comparison
        violations.extend(violations_of(comparison, policy))
    failing = [v for v in violations if v.allowed_because is None]
    allowed_hits = [v for v in violations if v.allowed_because is not None]
    guidance = build_guidance(matrix, breaking=failing_verdicts(policy), allow=policy.allow)

    names = ", ".join(r.mlflow_version if r.installed else (r.spec or r.label) for r in candidates) or "none"
    out(
        f"gate: baseline mlflow {baseline.mlflow_version}; candidates: {names}; fails on "
        f"{', '.join(failing_verdicts(policy))} (slowdown factor {policy.slowdown_factor:g})"
    )
    for v in failing:
        out(f"VIOLATION {v.line()}")
    for v in allowed_hits:
        out(f"allowed   {v.line()}: {v.allowed_because}")
    seen = {v.scenario for v in violations}
    ids = {sid for c in comparisons.values() for sid in c.verdicts}
    for key in policy.allow:
        if not any(fnmatchcase(sid, key) for sid in ids):
            out(f"note: allow entry {key!r} matches no scenario in these runs")
        elif not any(fnmatchcase(sid, key) for sid in seen):
            out(f"note: allow entry {key!r} is not needed: its scenarios are within policy")
    bad_labels = {v.candidate for v in failing}
    for run in candidates:
        if run.mlflow_version not in bad_labels and (run.spec or run.label) not in bad_labels:
            continue
        rollback = guidance.rollback_for(run.label)
        if rollback:
            out(f"  rollback: {rollback['summary']}")
            if rollback["pip"]:
                out(f"            {rollback['pip']}")
    for m in guidance.migrations:
        if set(m["candidates"]) & bad_labels:
            out(f"  migrate: {m['summary']}")
    verdict = "FAIL" if failing else "PASS"
    bad = sorted(bad_labels)
    out(
        f"gate: {verdict}: {len(failing)} violation(s)"
        + (f" in {', '.join(bad)}" if bad else "")
        + (f", {len(allowed_hits)} allowed" if allowed_hits else "")
    )
    _step_summary(verdict, baseline, candidates, failing, allowed_hits, guidance)
    return 1 if failing else 0


def _step_summary(verdict, baseline, candidates, failing, allowed_hits, guidance) -> None:
    """Append the gate's result to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    lines = [f"## mlflow-compat gate: {verdict}", ""]
    lines.append(f"Baseline mlflow {baseline.mlflow_version}; candidates: "
                 + ", ".join(r.mlflow_version if r.installed else (r.spec or r.label) for r in candidates))
    lines.append("")
    if failing or allowed_hits:
        lines += ["| candidate | scenario | verdict | reason | allowed |", "|---|---|---|---|---|"]
        for v in failing + allowed_hits:
            reason = v.reason.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {v.candidate} | `{v.scenario}` | {v.verdict} | {reason} | {v.allowed_because or ''} |")
        lines.append("")
    for r in guidance.rollback:
        lines.append(f"- {r['summary']}")
    lines.append("")
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def run_gate(
    config: Config,
    run_paths: list[Path] | None = None,
    baseline: str | None = None,
    candidates: list[str] | None = None,
    candidate_from: Path | None = None,
) -> int:
    """``python -m harness gate``: load the runs, pick baseline and candidates, apply the policy."""
    from harness.report import load_matrix

    constraint = candidate_from_file(candidate_from) if candidate_from else None
    spec = baseline or config.baseline
    matrix = load_matrix(config, run_paths, spec)
    for problem in matrix.problems:
        print(f"mlflow-compat: skipped {problem}")
    if find_run(matrix.runs, spec) is None:
        raise HarnessError(
            f"no run file for the baseline {spec} in the results; tested: {_tested(matrix.runs)}; "
            f"run `nox -s mlflow-{spec}` first"
        )
    chosen = select_candidates(matrix, candidates or [], constraint, candidate_from)
    if not chosen:
        raise HarnessError(f"no candidate to gate: only the baseline {spec} has a run file")
    return apply_gate(matrix, config, chosen)
