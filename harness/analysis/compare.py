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

from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from harness.analysis import stats
from harness.analysis.deprecations import deprecations
from harness.outcomes import BROKEN, Status, Verdict, most_severe
from harness.results.runs import RunFile, ScenarioResult



@dataclass
class CellVerdict:
    """One scenario on one candidate against the baseline: the primary verdict and every change."""

    id: str
    verdict: Verdict
    changes: list[Verdict] = field(default_factory=list)
    baseline_status: Status | None = None
    candidate_status: Status | None = None
    #: candidate median / baseline median, when both have timings
    ratio: float | None = None
    #: human-readable reasons, one per change
    details: list[str] = field(default_factory=list)
    new_deprecations: list[dict[str, Any]] = field(default_factory=list)
    observation_diff: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the statistics behind the timing verdict, when both sides have samples
    timing: stats.TimingComparison | None = None
    #: a status change whose exception was raised inside a library whose version differs
    #: between the columns: {"package", "baseline", "candidate", "frame"}
    cause: dict[str, str] | None = None

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
            "cause": self.cause,
        }


@dataclass
class Comparison:
    baseline: RunFile
    candidate: RunFile
    verdicts: dict[str, CellVerdict]

    def with_verdict(self, *names: str) -> list[CellVerdict]:
        return [v for v in self.verdicts.values() if v.verdict in names or set(v.changes) & set(names)]

    def counts(self) -> dict[Verdict, int]:
        """Scenarios per primary verdict (each scenario counted once)."""
        out: dict[Verdict, int] = {}
        for v in self.verdicts.values():
            out[v.verdict] = out.get(v.verdict, 0) + 1
        return out

    def change_counts(self) -> dict[Verdict, int]:
        """Scenarios per change (a scenario with two changes counts for both)."""
        out: dict[Verdict, int] = {}
        for v in self.verdicts.values():
            for change in dict.fromkeys(v.changes or [v.verdict]):
                out[change] = out.get(change, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.label,
            "candidate": self.candidate.label,
            "counts": self.counts(),
            "change_counts": self.change_counts(),
            "verdicts": {k: v.to_dict() for k, v in sorted(self.verdicts.items())},
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


def library_cause(
    base: ScenarioResult, cand: ScenarioResult, base_packages: dict[str, str], cand_packages: dict[str, str]
) -> dict[str, str] | None:
    """The library behind a status change, when its frame raised the exception and its version
    differs between the two columns (the runner records ``error.raised_in``)."""
    for side, cell in (("candidate", cand), ("baseline", base)):
        raised = (cell.error or {}).get("raised_in") or {}
        where = str(raised.get("origin") or "")
        if not where.startswith("library:"):
            continue
        package = str(raised.get("distribution") or where.split(":", 1)[1])
        name = canonicalize_name(package)
        versions = {
            "baseline": {canonicalize_name(k): v for k, v in base_packages.items()}.get(name),
            "candidate": {canonicalize_name(k): v for k, v in cand_packages.items()}.get(name),
        }
        versions[side] = raised.get("version") or versions[side]
        if versions["baseline"] and versions["candidate"] and versions["baseline"] != versions["candidate"]:
            return {"package": package, "baseline": str(versions["baseline"]), "candidate": str(versions["candidate"]),
                    "frame": str(raised.get("frame") or "")}
    return None


def compare_scenario(
    sid: str,
    base: ScenarioResult | None,
    cand: ScenarioResult | None,
    slowdown_factor: float,
    candidate_selection: dict[str, list[str]] | None = None,
    packages: tuple[dict[str, str], dict[str, str]] = ({}, {}),
) -> CellVerdict:
    """The verdict for one scenario id (see the module docstring)."""
    if base is None and cand is None:
        raise ValueError(f"{sid}: no result on either side")
    if base is None:
        return CellVerdict(sid, Verdict.NEW, [Verdict.NEW], None, cand.status,
                           details=[f"not run on the baseline; {cand.status} here"])
    if cand is None:
        why = "not selected in the candidate run (--only/--skip)" if candidate_selection else "not run on the candidate"
        return CellVerdict(sid, Verdict.GONE, [Verdict.GONE], base.status, None, details=[why])
    changes: list[Verdict] = []
    details: list[str] = []
    v = CellVerdict(sid, Verdict.SAME, changes, base.status, cand.status, details=details)

    if base.status == Status.PASS and cand.status in BROKEN:
        changes.append(Verdict.REGRESSED)
        why = _error_text(cand)
        details.append(f"pass -> {cand.status}" + (f" ({why})" if why else ""))
    elif (base.status in BROKEN or base.status == Status.UNSUPPORTED) and cand.status == Status.PASS:
        changes.append(Verdict.FIXED)
        details.append(f"{base.status} -> pass")
    elif cand.status == Status.UNSUPPORTED and base.status != Status.UNSUPPORTED:
        changes.append(Verdict.NEWLY_UNSUPPORTED)
        details.append(f"{base.status} -> unsupported" + (f" ({cand.reason})" if cand.reason else ""))
    elif base.status != cand.status:
        # e.g. error -> fail, pass -> skipped: shown, but not a verdict of its own
        why = _error_text(cand)
        details.append(f"{base.status} -> {cand.status}" + (f" ({why})" if why else ""))
    if base.status != cand.status:
        v.cause = library_cause(base, cand, *packages)
        if v.cause:
            details.append(f"cause: {v.cause['package']} {v.cause['baseline']} -> {v.cause['candidate']} "
                           f"(the exception was raised inside {v.cause['package']})")

    base_dep, cand_dep = deprecations(base), deprecations(cand)
    fresh = [w for key, w in cand_dep.items() if key not in base_dep]
    if fresh:
        changes.append(Verdict.NEWLY_WARNS)
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
            changes.append(Verdict.CHANGED)
            v.observation_diff = diff
            details.extend(f"{key}: {d['baseline']!r} -> {d['candidate']!r}" for key, d in diff.items())

    b_med, c_med = median(base), median(cand)
    if b_med and c_med is not None:
        v.ratio = c_med / b_med  # shown for every timed pair; judged only when both passed
    if base.status == cand.status == Status.PASS:
        b_samples = _samples(base)
        c_samples = _samples(cand)
        if b_samples and c_samples:
            timing = stats.compare_timings(b_samples, c_samples, slowdown_factor)
            v.ratio = timing.ratio
            v.timing = timing
            if timing.verdict in (Verdict.SLOWER, Verdict.FASTER):
                changes.append(timing.verdict)
                details.append(
                    f"median {median(base):.4g}s -> {median(cand):.4g}s ({timing.ratio:.2f}x; {timing.reason})"
                )

    v.verdict = most_severe(changes)
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
        sid: compare_scenario(sid, base.get(sid), cand.get(sid), slowdown_factor, candidate.selection,
                              (baseline.packages, candidate.packages))
        for sid in sorted(set(base) | set(cand))
    }
    return Comparison(baseline, candidate, verdicts)
