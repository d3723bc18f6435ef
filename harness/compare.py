"""Baseline vs candidate: one verdict per scenario, plus every change seen.

Verdicts (DESIGN.md): ``same``, ``regressed`` (pass -> fail/error/timeout/
crashed), ``fixed``, ``newly_unsupported``, ``newly_warns`` (a deprecation
appears), ``changed`` (an observation differs), ``slower``, ``faster``,
``new`` (no baseline cell), ``gone`` (no candidate cell). A scenario can show
several changes at once; ``verdict`` is the most severe, ``changes`` lists all.

Rules worth knowing:

* ``fixed`` is broken-or-unsupported -> pass; a status change that is neither
  (error -> fail, pass -> skipped) keeps ``same`` but says so in ``details``.
* ``newly_warns`` compares deprecation warnings by category and message with
  run ids, uuids, addresses and temp paths blanked (:func:`message_key`), so
  an A/A comparison of identical code stays ``same``.
* ``changed`` diffs ``observations`` when both sides ended the same way.
* ``slower``/``faster`` only when both sides passed and ``harness.stats``
  says the median ratio passes the factor beyond noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from packaging.version import InvalidVersion, Version

from harness import stats
from harness.outcomes import BROKEN
from harness.results.runs import RunFile, ScenarioResult
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
    #: the statistics behind the timing verdict, when both sides have samples
    timing: stats.TimingComparison | None = None

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
            "timing": self.timing.to_dict() if self.timing else None,
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


def median(result: ScenarioResult | None) -> float | None:
    """The cell's median time (recorded, or from its samples); None when untimed or absent."""
    timing = (result.timing or {}) if result is not None else {}
    if timing.get("median") is not None:
        return float(timing["median"])
    samples = timing.get("samples") or []
    if samples:
        import statistics

        return float(statistics.median(samples))
    return None


def _error_text(result: ScenarioResult) -> str:
    err = result.error or {}
    if err:
        text = f"{err.get('type')}: {err.get('message') or ''}"
    else:
        text = result.reason or ""
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def compare_scenario(
    sid: str,
    base: ScenarioResult | None,
    cand: ScenarioResult | None,
    slowdown_factor: float,
    candidate_selection: dict[str, list[str]] | None = None,
) -> Verdict:
    """The verdict for one scenario id (see the module docstring)."""
    if base is None and cand is None:
        raise ValueError(f"{sid}: no result on either side")
    if base is None:
        return Verdict(sid, "new", ["new"], None, cand.status, details=[f"not run on the baseline; {cand.status} here"])
    if cand is None:
        why = "not selected in the candidate run (--only/--skip)" if candidate_selection else "not run on the candidate"
        return Verdict(sid, "gone", ["gone"], base.status, None, details=[why])
    changes: list[str] = []
    details: list[str] = []
    v = Verdict(sid, "same", changes, base.status, cand.status, details=details)

    if base.status == "pass" and cand.status in BROKEN:
        changes.append("regressed")
        why = _error_text(cand)
        details.append(f"pass -> {cand.status}" + (f" ({why})" if why else ""))
    elif base.status in (*BROKEN, "unsupported") and cand.status == "pass":
        changes.append("fixed")
        details.append(f"{base.status} -> pass")
    elif cand.status == "unsupported" and base.status != "unsupported":
        changes.append("newly_unsupported")
        details.append(f"{base.status} -> unsupported" + (f" ({cand.reason})" if cand.reason else ""))
    elif base.status != cand.status:
        # e.g. error -> fail, pass -> skipped: shown, but not a verdict of its own
        why = _error_text(cand)
        details.append(f"{base.status} -> {cand.status}" + (f" ({why})" if why else ""))

    base_dep, cand_dep = deprecations(base), deprecations(cand)
    fresh = [w for key, w in cand_dep.items() if key not in base_dep]
    if fresh:
        changes.append("newly_warns")
        v.new_deprecations = fresh
        first = fresh[0]
        more = f" (+{len(fresh) - 1} more)" if len(fresh) > 1 else ""
        details.append(f"new deprecation: {first.get('category')}: {str(first.get('message'))[:200]}{more}")

    if base.status == cand.status:
        diff = {}
        for key in sorted(set(base.observations) | set(cand.observations)):
            b, c = base.observations.get(key), cand.observations.get(key)
            if b != c:
                diff[key] = {"baseline": b, "candidate": c}
        if diff:
            changes.append("changed")
            v.observation_diff = diff
            details.extend(f"{key}: {d['baseline']!r} -> {d['candidate']!r}" for key, d in diff.items())

    b_med, c_med = median(base), median(cand)
    if b_med and c_med is not None:
        v.ratio = c_med / b_med  # shown for every timed pair; judged only when both passed
    if base.status == cand.status == "pass":
        b_samples = _samples(base)
        c_samples = _samples(cand)
        if b_samples and c_samples:
            timing = stats.compare_timings(b_samples, c_samples, slowdown_factor)
            v.ratio = timing.ratio
            v.timing = timing
            if timing.verdict in ("slower", "faster"):
                changes.append(timing.verdict)
                details.append(
                    f"median {median(base):.4g}s -> {median(cand):.4g}s ({timing.ratio:.2f}x; {timing.reason})"
                )

    v.verdict = next((name for name in SEVERITY if name in changes), "same")
    return v


def _samples(result: ScenarioResult) -> list[float]:
    timing = result.timing or {}
    samples = timing.get("samples") or []
    if not samples and timing.get("median") is not None:
        samples = [timing["median"]]
    return [float(x) for x in samples]


def compare(baseline: RunFile, candidate: RunFile, slowdown_factor: float = 1.5) -> Comparison:
    """Every scenario of either run: its verdict for ``candidate`` against ``baseline``."""
    base, cand = baseline.by_id(), candidate.by_id()
    verdicts = {
        sid: compare_scenario(sid, base.get(sid), cand.get(sid), slowdown_factor, candidate.selection)
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
