"""Is a timing difference real? Ratio threshold AND evidence beyond noise.

A timing is ``slower`` (``faster``) only when the median ratio passes the
policy factor *and* the samples do not overlap enough to be noise. This first
version uses a conservative non-overlap rule; the seam is ``timing_verdict``.
"""

from __future__ import annotations

import statistics
from typing import Sequence


def beyond_noise(baseline: Sequence[float], candidate: Sequence[float]) -> bool:
    """True when the two sample sets are separated (no overlap of their ranges)."""
    if len(baseline) < 2 or len(candidate) < 2:
        return False
    return max(baseline) < min(candidate) or max(candidate) < min(baseline)


def timing_verdict(baseline: Sequence[float], candidate: Sequence[float], factor: float) -> str:
    """``slower``, ``faster`` or ``same`` for two sample sets of one scenario."""
    if not baseline or not candidate:
        return "same"
    b, c = statistics.median(baseline), statistics.median(candidate)
    if b <= 0 or c <= 0:
        return "same"
    ratio = c / b
    if ratio >= factor and beyond_noise(baseline, candidate):
        return "slower"
    if ratio <= 1.0 / factor and beyond_noise(baseline, candidate):
        return "faster"
    return "same"
