"""A change's history as one line of plain text: what ``python -m harness bisect`` prints.

``evaluation.threshold.higher_is_better`` (regressed): pass up to 2.22.5; error
from 3.0.0 (TypeError: ...). The report stage renders the same records its own
way; this is the command's terminal summary. Exception messages and values are
data: control characters are escaped so they cannot drive the terminal.
"""

from __future__ import annotations

import re
from typing import Any

from harness.analysis.text import counted
from harness.results.bisect import BisectResult, Cell, ChangeHistory, Flip

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(text: Any, limit: int = 120) -> str:
    """``text`` on one line, control characters escaped, at most ``limit`` characters."""
    out = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return out if len(out) <= limit else out[: limit - 3] + "..."


def describe(history: ChangeHistory, cell: Cell) -> str:
    """What a cell shows of the tracked thing: ``error (TypeError: ...)``, ``raised``, ``'models:/'``."""
    what = history.tracked.get("what")
    if what == "status":
        text = cell.status
        if cell.error:
            text += f" ({plain(cell.error['type'], 60)}: {plain(cell.error['message'], 80)})"
        return text
    if what == "deprecation":
        shown = "raised" if cell.value else "not raised"
    else:
        shown = plain(repr(cell.value), 80)
    ends = {history.cells[0].status, history.cells[-1].status} if history.cells else set()
    return shown if cell.status in ends else f"{shown}, {cell.status}"


def _from(flip: Flip) -> str:
    if not flip.between:
        return f"from {flip.after}"
    if flip.exact:
        return f"from {flip.after} ({counted(len(flip.between), 'release')} " \
               f"before it did not install)"
    return f"by {flip.after} ({len(flip.between)} untested after {flip.before})"


def since(history: ChangeHistory) -> str:
    """``pass up to 2.21.3; fail from 2.22.0 (...); error from 3.0.0 (...)``: every flip, in order."""
    if not history.cells:
        return "no cells"
    after = {f.after: f for f in history.flips}
    segments: list[tuple[Cell, Cell, Flip | None]] = []
    for cell in history.cells:
        if not segments or cell.version in after:
            segments.append((cell, cell, after.get(cell.version)))
        else:
            first, _, flip = segments[-1]
            segments[-1] = (first, cell, flip)
    parts = []
    for i, (first, last, flip) in enumerate(segments):
        if i == 0:
            parts.append(f"{describe(history, last)} up to {last.version}" if len(segments) > 1
                         else f"{describe(history, last)} on every release tested")
        else:
            parts.append(f"{describe(history, first)} {_from(flip)}" if flip else describe(history, first))
    return "; ".join(parts)


def summary(result: BisectResult) -> list[str]:
    """One line per change, then the gaps and the budget."""
    lines = [f"bisect {result.baseline['version']} -> {result.candidate['version']}: "
             f"{counted(len(result.changes), 'change')}, {len(result.tested)} releases with cells, "
             f"{result.budget.get('used', 0)} run now"]
    for history in result.changes:
        mark = "" if history.monotonic else " [not monotonic]"
        what = history.tracked.get("what")
        key = f" {plain(history.tracked.get('key'), 70)}" if what != "status" else ""
        lines.append(f"  {plain(history.scenario, 60)} ({history.verdict}{key}){mark}: {since(history)}")
    for gap in result.gaps:
        lines.append(f"  skipped {gap.version}: {plain(gap.reason.strip().splitlines()[0] if gap.reason.strip() else '', 160)}")
    if result.budget.get("exhausted"):
        lines.append(f"  budget spent (--max-releases {result.budget.get('max_releases')}): "
                     "steps marked 'untested' were not narrowed")
    return lines
