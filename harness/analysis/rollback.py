"""Rollback pins: for each candidate with breaking verdicts, the newest tested
version without them, as a requirement line and a ``pip install`` line.

"Breaking" is the policy's failing verdicts, minus allowlisted scenarios, so
the rollback advice and the gate always agree. Every line is derived from
what the comparison observed; nothing is written per version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from harness.analysis.bisection import first_break
from harness.analysis.compare import Comparison
from harness.analysis.matrix import Matrix, version_key
from harness.analysis.policy import GatePolicy
from harness.analysis.text import shortlist
from harness.outcomes import Verdict
from harness.results.bisect import BisectResult
from harness.results.runs import RunFile


@dataclass
class ForcingScenario:
    """A scenario whose breaking verdict forces the rollback."""

    id: str
    verdict: Verdict
    detail: str


@dataclass
class Rollback:
    candidate: str
    candidate_label: str
    scenarios: list[str]
    forced_by: list[ForcingScenario]
    safe_version: str | None = None
    safe_label: str | None = None
    baseline_is_newest_safe: bool = False
    #: "upgrade" (a newer tested version is safe) or "rollback"; None without a safe version
    direction: str | None = None
    requirement: str | None = None
    pip: str | None = None
    summary: str = ""
    #: the upper bound is the first release with a breaking change, proven by a bisect
    bound_proven: bool = False
    #: when not proven: which releases the pin vouches for that no run tested
    untested: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def breaking_scenarios(comparison: Comparison, policy: GatePolicy) -> list[ForcingScenario]:
    """Scenarios of one comparison with a failing verdict that is not allowlisted."""
    failing = policy.failing
    out = []
    for v in comparison.verdicts.values():
        hits = [c for c in v.changes if c in failing]
        if hits and policy.allowed(v.id) is None:
            detail = next((d for d in v.details if d), "")
            out.append(ForcingScenario(v.id, hits[0], detail))
    return out


def _version(run: RunFile) -> Version | None:
    try:
        return Version(run.mlflow_version)
    except InvalidVersion:
        return None


def _minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def _upper_bound(broken: RunFile, safe: Version) -> str:
    """The narrowest-sounding ``<X`` that excludes ``broken`` and keeps ``safe``.

    The spec the broken run was resolved from ("3" -> ``<3``) reads best; fall
    back to its minor, then its exact version, when the spec would also exclude
    the safe version (safe 3.6.0, broken 3.7.1 from spec "3").
    """
    version = _version(broken)
    options = [broken.spec] if broken.spec else []
    if version is not None:
        options += [_minor(version), str(version)]
    for option in options:
        try:
            if Version(option) > safe:
                return option
        except InvalidVersion:
            continue
    return str(broken.mlflow_version)


def requirement_for(safe: RunFile, newer_broken: list[RunFile]) -> str:
    """``mlflow>=2.9,<3``: from the safe version's minor up to the oldest newer broken one."""
    version = _version(safe)
    if version is None:
        return f"mlflow=={safe.mlflow_version}"
    lower = _minor(version)
    above = sorted((r for r in newer_broken if (_version(r) or version) > version), key=version_key)
    upper = _upper_bound(above[0], version) if above else str(version.major + 1)
    return f"mlflow>={lower},<{upper}"


def _proven_bound(bisected: list[BisectResult], ids: list[str], safe: Version) -> tuple[str | None, list[str]]:
    """(the first release a bisect proved breaks one of ``ids``, the ids no bisect proved).

    Any proven break is a ceiling for the pin, whatever the other scenarios do; the pin is
    only fully proven when every forcing scenario's first break is known."""
    firsts, unproven = [], []
    for sid in ids:
        bound = first_break(bisected, sid)
        if bound is None or not bound.exact or Version(bound.first) <= safe:
            unproven.append(sid)
        else:
            firsts.append(Version(bound.first))
    return (str(min(firsts)) if firsts else None), unproven


def rollbacks(matrix: Matrix, policy: GatePolicy, bisected: list[BisectResult] | None = None) -> list[Rollback]:
    """One entry per candidate that has breaking verdicts under ``policy``; a bisect of the
    forcing scenarios (``bisected``) makes the pin's upper bound the first release that breaks."""
    baseline = matrix.baseline
    if baseline is None:
        return []
    forced = {label: breaking_scenarios(c, policy) for label, c in matrix.comparisons.items()}
    unsafe = [c.candidate for label, c in matrix.comparisons.items() if forced[label]]
    entries = []
    for label, comparison in matrix.comparisons.items():
        scenarios = forced[label]
        if not scenarios:
            continue
        cand = comparison.candidate
        ids = [s.id for s in scenarios]
        # a target must have run the scenarios that force the rollback: a run
        # made with --only that skipped them proves nothing about them
        safe = [
            r for r in matrix.installed
            if r.run_status == "complete"
            and (r is baseline or not forced.get(r.label))
            and all(sid in r.by_id() for sid in ids)
        ]
        newest_safe = max(safe, key=version_key) if safe else None
        listing = shortlist([f"{s.id} {s.verdict}" for s in scenarios], 4)
        head = f"mlflow {cand.mlflow_version}: {len(scenarios)} breaking ({listing})"
        entry = Rollback(candidate=cand.mlflow_version, candidate_label=cand.label, scenarios=ids, forced_by=scenarios)
        if newest_safe is None:
            entry.summary = (
                f"{head}; no tested version ran these scenarios without breaking changes (the "
                "baseline run is incomplete): fix the scenarios or allowlist them"
            )
        else:
            requirement = requirement_for(newest_safe, unsafe)
            safe_version = _version(newest_safe)
            bound, unproven = _proven_bound(bisected or [], ids, safe_version) if safe_version else (None, ids)
            upper = requirement.rpartition("<")[2]
            if bound is not None and Version(bound) <= Version(upper):
                requirement, upper = f"mlflow>={_minor(safe_version)},<{bound}", bound
                entry.bound_proven = not unproven
            else:
                bound = None
            if safe_version is not None and not entry.bound_proven:
                checked = "tested"
                if bound is not None:  # proven for some scenarios: name those no bisect followed
                    checked = "bisected for " + shortlist(unproven, 3)
                entry.untested = (f"releases after {newest_safe.mlflow_version} below {upper} were not {checked}; "
                                  "`nox -s bisect` finds the first that breaks")
            is_base = newest_safe is baseline
            ahead = (_version(newest_safe) or Version("0")) > (_version(cand) or Version("0"))
            entry.safe_version = newest_safe.mlflow_version
            entry.safe_label = newest_safe.label
            entry.baseline_is_newest_safe = is_base
            entry.direction = "upgrade" if ahead else "rollback"
            entry.requirement = requirement
            entry.pip = f'pip install "{requirement}"'
            if is_base:
                advice = f"the baseline {newest_safe.mlflow_version} is the newest safe version: stay on it"
            elif ahead:
                advice = f"skip it: {newest_safe.mlflow_version} is the newest tested version without them"
            else:
                advice = f"roll back to {newest_safe.mlflow_version}, the newest tested version without them"
            entry.summary = f"{head}; {advice}: {requirement}"
            if bound is not None:
                entry.summary += f" ({bound} is the first release that breaks, found by bisect"
                entry.summary += f"; {entry.untested})" if entry.untested else ")"
            elif entry.untested:
                entry.summary += f" ({entry.untested})"
        entries.append(entry)
    return entries
