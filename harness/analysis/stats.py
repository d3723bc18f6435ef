"""Is a timing difference real? A ratio past the policy factor AND evidence beyond noise.

Method: the Mann-Whitney U rank test, one-sided, at ``ALPHA`` = 0.10, computed
exactly as ``scipy.stats.mannwhitneyu`` does but in pure Python (``_p_greater``;
importing ``scipy.stats`` costs seconds here, more than the report may take;
the tests check both give the same p-values). Why a rank test and not a bootstrap or a t-test: a perf
scenario keeps only a handful of samples (``repeat``, default 5), timings on a
shared machine are skewed with occasional large outliers (another process
takes the core), and a rank test needs no distribution assumption and ignores
how far an outlier lies. With five samples a bootstrap of the median has only
a few distinct values to resample, so its interval is unreliable.

A timing is ``slower`` when both hold (the rule asv uses for ``asv compare``):

1. the median ratio (candidate / baseline) is at least the policy factor;
2. the samples show it beyond noise: the one-sided test "candidate samples
   tend to be larger than baseline samples" gives p < ``ALPHA``.

``faster`` is the mirror image (ratio at most 1/factor, the other test).
Otherwise the verdict is ``same`` and the median ratio is still reported.
The factor is a threshold on the measured ratio, so a body slowed by
exactly the factor sits on the line and comes out either way: set the
factor somewhat below the slowdown that must be caught.

Why 0.10 and not 0.05: with five samples a side, p < 0.05 allows at most 4
of the 25 (baseline, candidate) pairs out of order, so one baseline sample
hit by an outlier (another process took the core) above every candidate
sample gives p = 0.075 and hides even a 2x slowdown; p < 0.10 tolerates it.
False alarms are kept down by the factor: in the A/A tests
(tests/test_stats.py) identical bodies do not reach a 1.2x median ratio
together with p < 0.10.

The test needs at least ``MIN_SAMPLES`` samples per side: with 2 and 2 the
smallest possible one-sided p-value is 1/6, so nothing could ever be called
beyond noise. Differences between two runs made at different times
(the machine got busier) are not noise a rank test can see: the factor is
the guard against that.
"""

from __future__ import annotations

import math
from functools import lru_cache
import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from harness.outcomes import Verdict

#: significance level of each one-sided test
ALPHA = 0.10
#: fewest samples per side for which the test can reach ALPHA (1/20 with 3 and 3)
MIN_SAMPLES = 3


@dataclass(frozen=True)
class TimingComparison:
    """The timing verdict for one scenario and the numbers behind it."""

    verdict: Verdict
    #: candidate median / baseline median, or None when either side has no samples
    ratio: float | None
    n_baseline: int
    n_candidate: int
    factor: float
    #: one-sided p-value for "candidate slower than baseline"
    p_slower: float | None = None
    #: one-sided p-value for "candidate faster than baseline"
    p_faster: float | None = None
    #: one line: why this verdict
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "n_baseline": self.n_baseline,
            "n_candidate": self.n_candidate,
            "factor": self.factor,
            "p_slower": None if self.p_slower is None else round(self.p_slower, 5),
            "p_faster": None if self.p_faster is None else round(self.p_faster, 5),
            "method": "mann-whitney-u",
            "alpha": ALPHA,
            "reason": self.reason,
        }


def _clean(samples: Sequence[float]) -> list[float]:
    return [float(s) for s in samples if s is not None and math.isfinite(float(s)) and float(s) > 0]


def _ranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Average ranks (1-based) and the sizes of tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties: list[int] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


@lru_cache(maxsize=256)
def _u_counts(n1: int, n2: int) -> tuple[int, ...]:
    """How many of the C(n1+n2, n1) orderings give each U = 0..n1*n2 (no ties)."""
    if n1 == 0 or n2 == 0:
        return (1,)
    # generating function: counts(n1, n2) = x^n2 * counts(n1-1, n2) + counts(n1, n2-1)
    a, b = _u_counts(n1 - 1, n2), _u_counts(n1, n2 - 1)
    out = [0] * (n1 * n2 + 1)
    for u, c in enumerate(a):
        out[u + n2] += c
    for u, c in enumerate(b):
        out[u] += c
    return tuple(out)


def _p_greater(x: Sequence[float], y: Sequence[float]) -> float:
    """One-sided Mann-Whitney U p-value for "values of x tend to be larger than y".

    The same test and method choice as ``scipy.stats.mannwhitneyu(x, y,
    alternative="greater")`` (exact U distribution when a side has at most 8
    samples and there are no ties; else the normal approximation with tie and
    continuity corrections), in pure Python: importing ``scipy.stats`` alone
    takes seconds on a small machine, longer than the whole report is allowed.
    ``tests/test_stats.py`` checks the two agree.
    """
    n1, n2 = len(x), len(y)
    ranks, ties = _ranks([*x, *y])
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    has_ties = any(t > 1 for t in ties)
    if (n1 <= 8 or n2 <= 8) and not has_ties:
        counts = _u_counts(n1, n2)
        k = int(round(u1))
        return min(1.0, sum(counts[k:]) / sum(counts))
    n = n1 + n2
    tie_term = sum(t**3 - t for t in ties)
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (u1 - n1 * n2 / 2 - 0.5) / sigma
    return min(1.0, max(0.0, 0.5 * math.erfc(z / math.sqrt(2))))


def compare_timings(
    baseline: Sequence[float], candidate: Sequence[float], factor: float
) -> TimingComparison:
    """``slower``, ``faster`` or ``same`` for two sample sets of one scenario (see module doc)."""
    if factor < 1.0:
        raise ValueError(f"factor must be >= 1.0, got {factor}")
    base, cand = _clean(baseline), _clean(candidate)
    nb, nc = len(base), len(cand)
    if not base or not cand:
        return TimingComparison(Verdict.SAME, None, nb, nc, factor, reason="no samples on one side")
    ratio = statistics.median(cand) / statistics.median(base)
    if nb < MIN_SAMPLES or nc < MIN_SAMPLES:
        return TimingComparison(
            Verdict.SAME, ratio, nb, nc, factor,
            reason=f"too few samples to tell ({nb} and {nc}; need {MIN_SAMPLES} each)",
        )
    p_slower = _p_greater(cand, base)
    p_faster = _p_greater(base, cand)
    verdict, reason = Verdict.SAME, f"within noise (p={min(p_slower, p_faster):.3f})"
    if p_slower < ALPHA:
        if ratio >= factor:
            verdict, reason = Verdict.SLOWER, f"slower beyond noise (p={p_slower:.3f})"
        else:
            reason = f"slower beyond noise (p={p_slower:.3f}) but {ratio:.2f}x is under the {factor:g}x factor"
    elif p_faster < ALPHA:
        if ratio <= 1.0 / factor:
            verdict, reason = Verdict.FASTER, f"faster beyond noise (p={p_faster:.3f})"
        else:
            reason = f"faster beyond noise (p={p_faster:.3f}) but {ratio:.2f}x is within the {factor:g}x factor"
    return TimingComparison(verdict, ratio, nb, nc, factor, p_slower, p_faster, reason)


def timing_verdict(baseline: Sequence[float], candidate: Sequence[float], factor: float) -> Verdict:
    """``slower``, ``faster`` or ``same``: the verdict of :func:`compare_timings`."""
    return compare_timings(baseline, candidate, factor).verdict
