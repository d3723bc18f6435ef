"""Timing charts for the HTML report: matplotlib's SVG backend, returned as text to inline.

Only matplotlib is used (no pyplot, so no global backend state and no display).
Text is emitted as ``<text>`` elements (``svg.fonttype = none``), which keeps
each chart small and lets several charts share one page without clashing
glyph ids. Callers check :func:`available` first: the report renders without
charts when matplotlib is not installed.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass
from typing import Sequence

from harness.outcomes import Verdict

#: colours shared with the page's CSS
BASELINE_COLOUR = "#4c566a"
CANDIDATE_COLOUR = "#2e6fba"
SLOWER_COLOUR = "#c0392b"
FASTER_COLOUR = "#1e8449"


@dataclass
class Series:
    """One version's samples for one scenario."""

    version: str
    samples: list[float]
    baseline: bool = False
    #: candidate median / baseline median, when both exist
    ratio: float | None = None
    #: the comparison's verdict for this scenario ("slower", "faster", "same" ...)
    verdict: str | None = None


def available() -> bool:
    """True when matplotlib can be imported here (without importing it: that
    alone takes about a second, and a report with no chart should not pay it)."""
    import importlib.util
    import sys

    if "matplotlib" in sys.modules:
        return sys.modules["matplotlib"] is not None
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        return False


def _scale(series: Sequence[Series]) -> tuple[float, str]:
    """Multiplier and unit so the axis reads in ms below one second."""
    top = max((max(s.samples) for s in series if s.samples), default=0.0)
    return (1000.0, "ms") if top < 1.0 else (1.0, "s")


def timing_svg(title: str, series: Sequence[Series]) -> str:
    """An SVG chart: each version's samples, median and spread side by side.

    Every sample is a dot; the median a thick bar; the spread (min to max) a
    thin vertical line. The baseline is drawn in grey and labelled; each
    candidate is labelled with its ratio to the baseline median.
    """
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    series = [s for s in series if s.samples]
    if not series:
        raise ValueError(f"{title}: no samples to chart")
    factor, unit = _scale(series)
    width = max(3.6, 1.6 + 1.25 * len(series))
    with _svg_params(rcParams):
        fig = Figure(figsize=(width, 3.0), dpi=100)
        ax = fig.add_subplot(1, 1, 1)
        top = 0.0
        for x, s in enumerate(series):
            values = [v * factor for v in s.samples]
            top = max(top, max(values))
            colour = BASELINE_COLOUR if s.baseline else _verdict_colour(s.verdict)
            median = statistics.median(values)
            ax.vlines(x, min(values), max(values), colors=colour, linewidth=1.2, alpha=0.6)
            ax.hlines(median, x - 0.28, x + 0.28, colors=colour, linewidth=3)
            offsets = _jitter(len(values))
            ax.scatter([x + o for o in offsets], values, s=16, color=colour, alpha=0.75,
                       edgecolors="white", linewidths=0.5, zorder=3)
        for x, s in enumerate(series):
            values = [v * factor for v in s.samples]
            label = "baseline" if s.baseline else (f"{s.ratio:.2f}x" if s.ratio is not None else "")
            if s.verdict in (Verdict.SLOWER, Verdict.FASTER) and not s.baseline:
                label += f" {s.verdict}"
            if label:
                ax.annotate(label, (x, max(values)), xytext=(0, 6), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8.5,
                            color=BASELINE_COLOUR if s.baseline else _verdict_colour(s.verdict),
                            fontweight="bold" if s.verdict in (Verdict.SLOWER, Verdict.FASTER) else "normal")
        ax.set_xticks(range(len(series)))
        ax.set_xticklabels([s.version + ("\n(baseline)" if s.baseline else "") for s in series], fontsize=9)
        ax.set_xlim(-0.6, len(series) - 0.4)
        ax.set_ylim(0, top * 1.22 if top > 0 else 1)
        ax.set_ylabel(f"time per sample ({unit})", fontsize=9)
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(axis="y", color="#e5e9f0", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", labelsize=8)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _inline(buf.getvalue())


def wall_time_svg(scenario_ids: Sequence[str], versions: Sequence[str], seconds: Sequence[Sequence[float | None]],
                  baseline_index: int | None = 0) -> str:
    """Horizontal grouped bars: each scenario's wall time on each version (``seconds[v][s]``).

    One run per scenario and version, so this shows where the time goes, not
    whether a version is slower: the perf charts (samples) are for that.
    """
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    if not scenario_ids or not versions:
        raise ValueError("no scenarios or versions to chart")
    candidate_colours = [CANDIDATE_COLOUR, "#8e44ad", "#16a085", "#d35400", "#7f8c8d"]
    n = len(versions)
    bar = 0.8 / n
    height = 1.2 + len(scenario_ids) * (0.18 + 0.16 * n)
    with _svg_params(rcParams):
        fig = Figure(figsize=(9.0, height), dpi=100)
        ax = fig.add_subplot(1, 1, 1)
        for v, version in enumerate(versions):
            ys = [i - 0.4 + bar * (v + 0.5) for i in range(len(scenario_ids))]
            widths = [x if x is not None else 0.0 for x in seconds[v]]
            nth_candidate = v - (1 if baseline_index is not None and v > baseline_index else 0)
            colour = BASELINE_COLOUR if v == baseline_index else candidate_colours[nth_candidate % len(candidate_colours)]
            label = version + (" (baseline)" if v == baseline_index else "")
            ax.barh(ys, widths, height=bar * 0.92, color=colour, label=label)
            for y, x in zip(ys, seconds[v]):
                if x is not None:
                    ax.annotate(f"{x:.1f}s" if x >= 1 else f"{x * 1000:.0f}ms", (x, y), xytext=(3, 0),
                                textcoords="offset points", va="center", fontsize=7.5, color="#3b4252")
        ax.set_yticks(range(len(scenario_ids)))
        ax.set_yticklabels(scenario_ids, fontsize=8.5)
        ax.invert_yaxis()
        top = max((x for row in seconds for x in row if x is not None), default=1.0)
        ax.set_xlim(0, top * 1.15)
        ax.set_xlabel("wall time (s), one run each", fontsize=9)
        ax.grid(axis="x", color="#e5e9f0", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", labelsize=8)
        ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=min(n, 4),
                  borderaxespad=0.2)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _inline(buf.getvalue())


def _verdict_colour(verdict: str | None) -> str:
    return {"slower": SLOWER_COLOUR, "faster": FASTER_COLOUR}.get(verdict or "", CANDIDATE_COLOUR)


def _jitter(n: int) -> list[float]:
    """Deterministic horizontal offsets so equal samples do not hide each other."""
    if n <= 1:
        return [0.0] * n
    step = 0.3 / (n - 1)
    return [-0.15 + i * step for i in range(n)]


class _svg_params:
    """Temporarily set the rcParams that make the SVG inline-friendly."""

    #: ``text.parse_math`` off: a ``$`` in a scenario id is a dollar sign, not mathtext
    VALUES = {"svg.fonttype": "none", "font.family": "sans-serif", "svg.hashsalt": None, "text.parse_math": False}

    def __init__(self, rc) -> None:
        self.rc, self.saved = rc, {}

    def __enter__(self) -> None:
        for key, value in self.VALUES.items():
            self.saved[key] = self.rc[key]
            self.rc[key] = value

    def __exit__(self, *exc) -> None:
        for key, value in self.saved.items():
            self.rc[key] = value


def _inline(svg: str) -> str:
    """Strip the XML prolog and DOCTYPE so the SVG can sit inside HTML; let it scale."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    return svg.replace("<svg ", '<svg class="chart" role="img" ', 1).strip()
