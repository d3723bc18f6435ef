"""Baseline vs candidate: one verdict per scenario, plus every change seen.

Verdicts (DESIGN.md): ``same``, ``regressed`` (pass -> fail/error/timeout/
crashed), ``fixed``, ``newly_unsupported``, ``newly_warns`` (a deprecation
appears), ``changed`` (an observation differs), ``slower``, ``faster``,
``new`` (no baseline cell), ``gone`` (no candidate cell). A scenario can show
several changes at once; ``verdict`` is the most severe, ``changes`` lists all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from packaging.version import InvalidVersion, Version

from harness import stats
from harness.results import BROKEN, RunFile, ScenarioResult
from harness.versions import matches

#: most severe first; the primary verdict is the first that applies
SEVERITY = (
    "regressed",
    "newly_unsupported",
    "gone",
    "slower",
    "newly_warns",
    "changed",
    "new",
    "fixed",
    "faster",
    "same",
)
DEPRECATION_CATEGORIES = ("DeprecationWarning", "FutureWarning", "PendingDeprecationWarning")


@dataclass
class Verdict:
    id: str
    verdict: str
    changes: list[str] = field(default_factory=list)
    baseline_status: str | None = None
    candidate_status: str | None = None
    #: candidate median / baseline median, when both have timings
    ratio: float | None = None
    #: human-readable reasons, one per change
    details: list[str] = field(default_factory=list)
    new_deprecations: list[dict[str, Any]] = field(default_factory=list)
    observation_diff: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "changes": self.changes,
            "baseline_status": self.baseline_status,
            "candidate_status": self.candidate_status,
            "ratio": self.ratio,
            "details": self.details,
            "new_deprecations": self.new_deprecations,
            "observation_diff": self.observation_diff,
        }


@dataclass
class Comparison:
    baseline: RunFile
    candidate: RunFile
    verdicts: dict[str, Verdict]

    def with_verdict(self, *names: str) -> list[Verdict]:
        return [v for v in self.verdicts.values() if v.verdict in names or set(v.changes) & set(names)]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.verdicts.values():
            out[v.verdict] = out.get(v.verdict, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.label,
            "candidate": self.candidate.label,
            "counts": self.counts(),
            "verdicts": {k: v.to_dict() for k, v in sorted(self.verdicts.items())},
        }


def is_deprecation(warning: dict[str, Any]) -> bool:
    category = str(warning.get("category", ""))
    message = str(warning.get("message", "")).lower()
    return category in DEPRECATION_CATEGORIES or "deprecat" in message


def _deprecations(result: ScenarioResult) -> dict[tuple[str, str], dict[str, Any]]:
    return {(w["category"], w["message"]): w for w in result.warnings if is_deprecation(w)}


def median(result: ScenarioResult) -> float | None:
    timing = result.timing or {}
    if timing.get("median") is not None:
        return float(timing["median"])
    samples = timing.get("samples") or []
    if samples:
        import statistics

        return float(statistics.median(samples))
    return None


def compare_scenario(
    sid: str,
    base: ScenarioResult | None,
    cand: ScenarioResult | None,
    slowdown_factor: float,
) -> Verdict:
    """The verdict for one scenario id."""
    if base is None and cand is None:
        raise ValueError(f"{sid}: no result on either side")
    if base is None:
        return Verdict(sid, "new", ["new"], None, cand.status, details=[f"not run on the baseline; {cand.status} here"])
    if cand is None:
        return Verdict(sid, "gone", ["gone"], base.status, None, details=["not run on the candidate"])
    changes: list[str] = []
    details: list[str] = []
    v = Verdict(sid, "same", changes, base.status, cand.status, details=details)

    if base.status == "pass" and cand.status in BROKEN:
        changes.append("regressed")
        err = cand.error or {}
        why = f"{err.get('type')}: {err.get('message')}" if err else (cand.reason or "")
        details.append(f"pass -> {cand.status}" + (f" ({why.splitlines()[0][:200]})" if why else ""))
    elif base.status in BROKEN and cand.status == "pass":
        changes.append("fixed")
        details.append(f"{base.status} -> pass")
    if cand.status == "unsupported" and base.status != "unsupported":
        changes.append("newly_unsupported")
        details.append(f"{base.status} -> unsupported" + (f" ({cand.reason})" if cand.reason else ""))

    base_dep, cand_dep = _deprecations(base), _deprecations(cand)
    fresh = [w for key, w in cand_dep.items() if key not in base_dep]
    if fresh:
        changes.append("newly_warns")
        v.new_deprecations = fresh
        details.append(f"new deprecation: {fresh[0]['category']}: {fresh[0]['message'][:200]}")

    if base.status == cand.status:
        diff = {}
        for key in sorted(set(base.observations) | set(cand.observations)):
            b, c = base.observations.get(key), cand.observations.get(key)
            if b != c:
                diff[key] = {"baseline": b, "candidate": c}
        if diff:
            changes.append("changed")
            v.observation_diff = diff
            key = next(iter(diff))
            details.append(f"{key}: {diff[key]['baseline']!r} -> {diff[key]['candidate']!r}")

    b_med, c_med = median(base), median(cand)
    if b_med and c_med is not None and base.status == cand.status == "pass":
        v.ratio = c_med / b_med
        b_samples = (base.timing or {}).get("samples") or []
        c_samples = (cand.timing or {}).get("samples") or []
        timing_verdict = stats.timing_verdict(b_samples, c_samples, slowdown_factor)
        if timing_verdict in ("slower", "faster"):
            changes.append(timing_verdict)
            details.append(f"median {b_med:.4g}s -> {c_med:.4g}s ({v.ratio:.2f}x)")

    v.verdict = next((name for name in SEVERITY if name in changes), "same")
    return v


def compare(baseline: RunFile, candidate: RunFile, slowdown_factor: float = 1.5) -> Comparison:
    base, cand = baseline.by_id(), candidate.by_id()
    verdicts = {
        sid: compare_scenario(sid, base.get(sid), cand.get(sid), slowdown_factor)
        for sid in sorted(set(base) | set(cand))
    }
    return Comparison(baseline, candidate, verdicts)


def version_key(run: RunFile) -> tuple[int, Any]:
    try:
        return (0, Version(run.mlflow_version))
    except InvalidVersion:
        return (1, run.mlflow_version)


def order_runs(runs: Iterable[RunFile]) -> list[RunFile]:
    """Installed runs by version, install failures last; for each spec keep the newest run."""
    newest: dict[str, RunFile] = {}
    for run in runs:
        key = run.spec or run.label
        if key not in newest or run.started_at > newest[key].started_at:
            newest[key] = run
    return sorted(newest.values(), key=lambda r: (not r.installed, version_key(r), r.label))


def superseded(runs: Iterable[RunFile], kept: Iterable[RunFile]) -> list[RunFile]:
    kept_ids = {id(r) for r in kept}
    return [r for r in runs if id(r) not in kept_ids]


def find_run(runs: Iterable[RunFile], spec: str) -> RunFile | None:
    """The run for ``spec``: same spec, else the newest installed version matching it."""
    runs = list(runs)
    for run in runs:
        if run.installed and (run.spec == spec or run.mlflow_version == spec or run.label == spec):
            return run
    found = [r for r in runs if r.installed and matches(spec, r.mlflow_version)]
    return max(found, key=version_key) if found else None
