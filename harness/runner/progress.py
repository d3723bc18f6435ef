"""Progress of a version's run: a header, one line per finished scenario, the counts."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

from harness.outcomes import Status
from harness.results.runs import ScenarioResult


class Progress:
    """One line per finished scenario; a header and a count per version.

    Each line ends with the time elapsed since the header and, while more
    scenarios remain, an estimate of the time left (mean scenario duration so
    far times those remaining; one-off setup is not extrapolated). ``quiet``
    (CI logs) keeps only the header, the lines of scenarios that did not
    pass, and the counts.
    """

    def __init__(
        self, total: int, label: str, quiet: bool = False, stream: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.label, self.quiet = total, label, quiet
        self.stream = stream or sys.stdout
        self.width = len(str(total))
        self.counts: dict[str, int] = {}
        self.clock = clock
        self.t0 = clock()
        self.spent = 0.0

    def _print(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            print(text, file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):
            # output closed (`run | head`): keep running, the run file is what counts
            self.stream = None

    def start(self, version: str) -> None:
        self.t0 = self.clock()
        self._print(f"== {self.label}: mlflow {version}, {self.total} scenarios")

    def done(self, index: int, result: ScenarioResult) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        self.spent += result.duration_s or 0.0
        if self.quiet and result.status == Status.PASS:
            return
        elapsed = self.clock() - self.t0
        clock = f"{_clock(elapsed)} elapsed"
        if index < self.total:
            clock += f", ~{_clock(self.spent / index * (self.total - index))} left"
        detail = _detail(result)
        self._print(
            f"[{index:>{self.width}}/{self.total}] {result.id:<44} {result.status:<11} "
            f"{result.duration_s:6.2f}s  ({clock}){'  ' + detail if detail else ''}"
        )

    def suite(self, results: list[ScenarioResult], facts: dict[str, Any]) -> None:
        """The project's pytest suite, run before the scenarios: a line, then every test that did not pass."""
        for result in results:
            self.counts[result.status] = self.counts.get(result.status, 0) + 1
        passed = sum(1 for r in results if r.status == Status.PASS)
        self._print(f"== {self.label}: pytest {' '.join(facts.get('paths', []))}: {len(results)} rows, "
                    f"{passed} pass, in {_clock(facts.get('seconds') or 0)}")
        for result in results:
            if result.status != Status.PASS:
                self._print(f"[tests] {result.id:<44} {result.status:<11} {result.duration_s:6.2f}s  {_detail(result)}")

    def finish(self, seconds: float) -> None:
        order = {s: i for i, s in enumerate(Status.values())}
        summary = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items(), key=lambda kv: order.get(kv[0], 99)))
        self._print(f"== {self.label}: {summary or 'no scenarios'} in {_clock(seconds)}")


def _detail(result: ScenarioResult) -> str:
    """The first line of why a row did not pass: ``Type: message``, else its reason."""
    if result.error:
        message = result.error["message"].splitlines()[0][:100] if result.error["message"] else ""
        return f"{result.error['type']}: {message}"
    if result.reason and result.status != Status.PASS:
        return result.reason.splitlines()[0][:100]
    return ""


def _clock(seconds: float) -> str:
    """``42s``, ``3m05s`` or ``1h02m``: short enough for a progress line."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
