"""Timing verdicts are trustworthy: injected slowdowns are caught, A/A stays ``same``.

No MLflow here. Two kinds of evidence:

* synthetic: 200 comparisons per case with noise shaped like this machine's
  (log-normal jitter, a per-run drift, and the occasional sample hit by
  another process), from a fixed seed, so the rates asserted are exact and
  the test is deterministic;
* real: Python bodies timed with perf_counter (one warm-up, then 5 samples
  each, taken alternately so that load on a shared machine hits both sides
  alike), one known to do 2x the work of the other, and identical bodies
  (A/A). Between versions of a matrix run, drift is what the policy factor
  guards against.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from harness.analysis.compare import compare
from harness.analysis.stats import ALPHA, MIN_SAMPLES, compare_timings, timing_verdict
from tests.factories import run_file, scenario

TRIALS = 200


def noisy_samples(rng: random.Random, scale: float, n: int = 5, base: float = 0.05) -> list[float]:
    """``n`` timings of a body taking ``base * scale`` seconds, with realistic noise."""
    drift = rng.lognormvariate(0, 0.02)  # the run happened at a busier or quieter moment
    samples = []
    for _ in range(n):
        x = base * scale * drift * rng.lognormvariate(0, 0.05)  # ~5% jitter
        if rng.random() < 0.05:  # another process took the core for a while
            x *= rng.uniform(1.2, 2.5)
        samples.append(x)
    return samples


def verdict_counts(slowdown: float, factor: float, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {"same": 0, "slower": 0, "faster": 0}
    for _ in range(TRIALS):
        counts[timing_verdict(noisy_samples(rng, 1.0), noisy_samples(rng, slowdown), factor)] += 1
    return counts


@pytest.mark.parametrize("factor", [1.2, 1.3, 1.5])
def test_a_a_synthetic_false_positive_rate_is_low(factor):
    counts = verdict_counts(1.0, factor, seed=11)
    assert counts["slower"] + counts["faster"] <= TRIALS * 0.01, counts


def test_a_a_without_the_factor_shows_the_rank_test_alone_is_not_enough():
    # a factor of 1.0 leaves only the rank test: about ALPHA of A/A pairs per side
    # come out "different". This is why the verdict needs the ratio as well.
    counts = verdict_counts(1.0, 1.0, seed=11)
    assert counts["slower"] + counts["faster"] > TRIALS * 0.05, counts


def test_injected_slowdown_past_the_factor_is_slower():
    counts = verdict_counts(1.5, 1.3, seed=12)
    assert counts["slower"] >= TRIALS * 0.95, counts


def test_injected_1_3x_slowdown_is_slower_at_a_1_2_factor():
    counts = verdict_counts(1.3, 1.2, seed=13)
    assert counts["slower"] >= TRIALS * 0.9, counts
    assert counts["faster"] == 0


def test_a_slowdown_under_the_factor_is_same_even_when_beyond_noise():
    rng = random.Random(14)
    same = beyond_noise = 0
    for _ in range(TRIALS):
        result = compare_timings(noisy_samples(rng, 1.0), noisy_samples(rng, 1.3), 1.5)
        same += result.verdict == "same"
        beyond_noise += result.p_slower < ALPHA
    assert same >= TRIALS * 0.98
    assert beyond_noise >= TRIALS * 0.9  # the rank test sees it; the factor says it does not matter


def test_injected_speedup_is_faster():
    counts = verdict_counts(1 / 1.5, 1.3, seed=15)
    assert counts["faster"] >= TRIALS * 0.95, counts


def test_one_outlier_does_not_hide_a_clear_slowdown_nor_invent_one():
    base = [0.100, 0.101, 0.099, 0.100, 0.250]  # one sample hit by another process
    assert timing_verdict(base, [0.200, 0.201, 0.199, 0.202, 0.200], 1.5) == "slower"
    assert timing_verdict([0.100, 0.101, 0.099, 0.100, 0.102], [0.100, 0.101, 0.099, 0.100, 0.500], 1.3) == "same"


def test_too_few_samples_is_same_with_the_ratio_and_a_reason():
    result = compare_timings([0.1] * (MIN_SAMPLES - 1), [0.3] * (MIN_SAMPLES - 1), 1.3)
    assert result.verdict == "same" and result.ratio == pytest.approx(3.0)
    assert "too few samples" in result.reason
    assert compare_timings([], [0.1, 0.1, 0.1], 1.3).ratio is None


def test_factor_below_one_is_rejected():
    with pytest.raises(ValueError):
        compare_timings([0.1] * 5, [0.1] * 5, 0.9)


# --------------------------------------------------------------------------
# real timed bodies, sampled like the runner samples a perf scenario
# --------------------------------------------------------------------------
def busy(units: float) -> int:
    """CPU work proportional to ``units`` (one unit is ~10-20 ms)."""
    total = 0
    for i in range(int(200_000 * units)):
        total += i * i
    return total


def timed_pair(units_a: float, units_b: float, tmp_path: Path) -> tuple[list[float], list[float]]:
    """Two bodies sampled alternately (5 samples each, one warm-up): load that
    comes and goes on a shared machine then hits both sides alike, as it does
    within one matrix run, instead of one side only."""
    a, b = [], []
    for _ in range(6):
        a.extend(timed_once(units_a))
        b.extend(timed_once(units_b))
    return a[1:], b[1:]


def timed_once(units: float) -> list[float]:
    start = time.perf_counter()
    busy(units)
    return [time.perf_counter() - start]


def as_run(version: str, samples: list[float]):
    return run_file(version, [scenario("perf.body", kind="perf", samples=samples)])


def test_real_body_slowed_2x_comes_out_slower_at_a_1_3_factor(tmp_path):
    outcomes = []
    for _ in range(3):
        base_samples, slow_samples = timed_pair(1.0, 2.0, tmp_path)
        base, slow = as_run("1.0.0", base_samples), as_run("2.0.0", slow_samples)
        outcomes.append(compare(base, slow, 1.3).verdicts["perf.body"])
    # on a shared 2-core machine a single comparison can be unlucky; two of three is the bar
    assert sum(v.verdict == "slower" for v in outcomes) >= 2, [(v.ratio, v.timing.reason) for v in outcomes]
    assert all(v.ratio > 1.3 for v in outcomes if v.verdict == "slower")


def test_real_a_a_of_identical_bodies_comes_out_same(tmp_path):
    outcomes = []
    for _ in range(5):
        a_samples, b_samples = timed_pair(1.0, 1.0, tmp_path)
        a, b = as_run("1.0.0", a_samples), as_run("1.0.1", b_samples)
        outcomes.append(compare(a, b, 1.3).verdicts["perf.body"])
    different = [(v.ratio, v.timing.reason) for v in outcomes if v.verdict != "same"]
    assert len(different) <= 1, different


def test_pure_python_mann_whitney_agrees_with_scipy():
    """The report's own U test gives scipy's p-values (exact and asymptotic, with ties)."""
    import random

    scipy_stats = pytest.importorskip("scipy.stats")
    from harness.analysis.stats import _p_greater

    rng = random.Random(3)
    cases = [([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), ([0.1, 0.1, 0.2], [0.1, 0.3, 0.3])]
    for _ in range(150):
        n1, n2 = rng.randint(3, 12), rng.randint(3, 12)
        tied = rng.random() < 0.3
        draw = (lambda: round(rng.uniform(0, 1), 1)) if tied else (lambda: rng.uniform(0, 1))
        cases.append(([draw() for _ in range(n1)], [draw() * rng.choice([1, 1.3]) for _ in range(n2)]))
    for x, y in cases:
        expected = float(scipy_stats.mannwhitneyu(x, y, alternative="greater").pvalue)
        assert _p_greater(x, y) == pytest.approx(expected, rel=1e-9, abs=1e-12), (x, y)
