"""The search: which release to run next, and what the cells observed say.

Pure logic over cells; the runner is a function handed in, so the search is
tested on synthetic histories without MLflow.

Releases are every final release from the baseline to the candidate, in
version order. Each change's history is its cells on the releases tested so
far; wherever two consecutive tested releases differ (its
:meth:`Change.signature`), the step between them is narrowed: among the
untested releases between them, the middle one of the *newest patch of each
minor* first, and when the step lies inside one minor line, that minor's first
release, then a binary search of its patches (:meth:`Search.next_in`). That is
a binary search over minors, then patches, for a monotonic history, and it
narrows every flip of one that is not: nothing is forced into a single
boundary.

Every step runs one release, for every change whose open step contains it
(one environment, one runner process, all the scenarios involved), choosing
the release the most open steps want next. A release that does not install
(or whose runner fails) is a gap: never retried in the same search, and the
step around it is reported as spanning it. ``max_releases`` caps how many
releases are run; when it runs out, the open steps say which releases between
them were not tested.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterable

from packaging.version import Version

from harness.analysis.text import counted
from harness.bisect.changes import WITH, WITHOUT, Change
from harness.results.bisect import Cell, ChangeHistory, Flip, Untested
from harness.results.runs import ScenarioResult

#: why a release between two tested ones has no cell when it could have had one (the budget ran
#: out or the bisect was interrupted: the file's ``budget`` and ``run_status`` say which)
NOT_TESTED = "not tested"


@dataclass
class Probe:
    """What running some scenarios on one release gave."""

    #: scenario id -> its cell; empty when the release could not be installed or run
    results: dict[str, ScenarioResult] = field(default_factory=dict)
    #: why there are no results (installer's or runner's last lines)
    failure: str | None = None
    #: run files the cells came from
    sources: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: where the time went, for the progress line ("install 3s, run 41s")
    detail: str = ""


#: ``runner(version, scenario_ids) -> Probe``
Runner = Callable[[str, list[str]], Probe]


def ordered(releases: Iterable[str]) -> list[str]:
    return sorted(set(releases), key=Version)


def minor(version: str) -> tuple[int, int]:
    release = Version(version).release
    return (release[0], release[1] if len(release) > 1 else 0)


def representatives(releases: list[str]) -> set[str]:
    """The newest patch of each minor line (the first release too: the baseline)."""
    newest: dict[tuple[int, int], str] = {}
    for version in releases:
        newest[minor(version)] = version  # releases are ordered: the last one wins
    return set(newest.values()) | set(releases[:1])


@dataclass
class Search:
    releases: list[str]
    changes: list[Change]
    #: cells known before the search (the two ends' runs, earlier bisect runs): version -> id -> cell
    known: dict[str, dict[str, ScenarioResult]] = field(default_factory=dict)
    max_releases: int | None = None
    log: Callable[[str], None] = print
    #: releases that could not be installed or run: version -> reason
    gaps: dict[str, str] = field(default_factory=dict)
    #: (scenario, version) pairs whose run produced no cell for the scenario, with the reason
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    #: version -> (step, sources) of the releases this search ran
    ran: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    used: int = 0
    exhausted: bool = False

    def __post_init__(self) -> None:
        self.releases = ordered(self.releases)
        self.index = {v: i for i, v in enumerate(self.releases)}
        self.reps = representatives(self.releases)
        self.cells: dict[str, dict[str, ScenarioResult]] = {}
        for version, results in self.known.items():
            if version in self.index:
                for sid, result in results.items():
                    self.cells.setdefault(sid, {})[version] = result

    # -- what is known -------------------------------------------------------

    def tested(self, scenario: str) -> list[str]:
        return sorted(self.cells.get(scenario, {}), key=self.index.__getitem__)

    def _between(self, scenario: str, lo: str, hi: str) -> list[str]:
        """Releases strictly between ``lo`` and ``hi`` that could still be tested for ``scenario``."""
        have = self.cells.get(scenario, {})
        return [
            v for v in self.releases[self.index[lo] + 1 : self.index[hi]]
            if v not in have and v not in self.gaps and (scenario, v) not in self.missing
        ]

    def open_steps(self, change: Change) -> list[tuple[str, list[str]]]:
        """Each flip of ``change`` not yet narrowed to adjacent releases: its older side, and the
        releases between the two sides that can still be tested."""
        cells = self.cells.get(change.scenario, {})
        tested = self.tested(change.scenario)
        steps = []
        for lo, hi in zip(tested, tested[1:]):
            if change.signature(cells[lo]) != change.signature(cells[hi]):
                between = self._between(change.scenario, lo, hi)
                if between:
                    steps.append((lo, between))
        return steps

    def next_in(self, lo: str, between: list[str]) -> str:
        """Which release of a step to run next.

        Newest patches of minors first (the middle one: binary search over minors). When the
        step lies inside one minor line that ``lo`` is not part of (the change came with that
        minor or one of its patches), its first release: MLflow ships behaviour changes in
        minor releases, so one run usually settles it, and a binary search of the remaining
        patches follows when it does not. Otherwise the middle release (the lower middle).
        """
        pool = [v for v in between if v in self.reps]
        if pool:
            return pool[(len(pool) - 1) // 2]
        lines = {minor(v) for v in between}
        if len(lines) == 1 and minor(lo) not in lines:
            return between[0]
        return between[(len(between) - 1) // 2]

    # -- the loop --------------------------------------------------------------

    def estimate(self, steps: list[list[str]]) -> int:
        """Steps still needed, roughly: binary search depth over each distinct open step."""
        distinct = {tuple(s) for s in steps}
        return sum(math.ceil(math.log2(len(s) + 1)) for s in distinct)

    def choose(self, inflight: dict[str, set[str]] | None = None) -> tuple[str, list[str], int, bool] | None:
        """The next release, the scenarios to run there, an estimate of the steps left, and whether
        it is run ahead; None when there is nothing to run.

        ``inflight``: releases being run right now, with their scenarios; a step one of them is
        already narrowing waits for it, and a release in flight is not chosen again. When every
        open step waits and the budget is not limited, a free job runs *ahead*: the next release
        of the larger part of a waiting step, which is the next step on one of the two outcomes
        (a parallel bisection: it uses a core that would idle, at the cost of some runs that turn
        out unneeded).
        """
        inflight = inflight or {}
        wants: Counter[str] = Counter()
        ahead: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        all_steps: list[list[str]] = []
        steps: dict[str, list[list[str]]] = {}
        for change in self.changes:
            for lo, between in self.open_steps(change):
                all_steps.append(between)
                running = [r for r, sids in inflight.items() if r in between and change.scenario in sids]
                between = [v for v in between if v not in inflight]
                if not between:
                    continue
                steps.setdefault(change.scenario, []).append(between)
                inside.update(between)
                if not running:
                    wants[self.next_in(lo, between)] += 1
                else:
                    part_lo, part = max(self._parts(lo, between, running), key=lambda p: len(p[1]))
                    if part:
                        ahead[self.next_in(part_lo, part)] += 1
        early = not wants
        if early:
            if self.max_releases is not None or not ahead:
                return None
            wants = ahead
        release = max(wants, key=lambda v: (wants[v], inside[v], -self.index[v]))
        scenarios = sorted(sid for sid, found in steps.items() if any(release in between for between in found))
        return release, scenarios, self.estimate(all_steps), early

    def _parts(self, lo: str, between: list[str], running: list[str]) -> list[tuple[str, list[str]]]:
        """``between`` cut at the releases in flight: each part with the release just below it."""
        parts: list[tuple[str, list[str]]] = [(lo, [])]
        for r in sorted(running, key=self.index.__getitem__):
            parts[-1] = (parts[-1][0], [v for v in between if self.index[parts[-1][0]] < self.index[v] < self.index[r]])
            parts.append((r, []))
        last_lo = parts[-1][0]
        parts[-1] = (last_lo, [v for v in between if self.index[v] > self.index[last_lo]])
        return parts

    def run(self, runner: Runner, jobs: int = 1) -> None:
        """Run releases until every flip is narrowed, or the budget is spent; ``jobs`` releases at a time."""
        pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="bisect")
        running: dict[Future, tuple[str, list[str], float, int]] = {}
        try:
            while True:
                blocked = False
                while len(running) < max(1, jobs):
                    chosen = self.choose({r: set(sids) for r, sids, *_ in running.values()})
                    if chosen is None:
                        break
                    if self.max_releases is not None and self.used >= self.max_releases:
                        blocked = True
                        break
                    release, scenarios, left, early = chosen
                    self.used += 1
                    self._announce(release, scenarios, left + len(running), early)
                    future = pool.submit(runner, release, scenarios)
                    running[future] = (release, scenarios, time.perf_counter(), self.used)
                if not running:
                    if blocked:
                        self.exhausted = True
                        self.log(f"[bisect] budget of {self.max_releases} releases spent; "
                                 "open steps are reported as untested")
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    release, scenarios, start, step = running.pop(future)
                    self._merge(release, scenarios, future.result(), time.perf_counter() - start, step)
        except KeyboardInterrupt:
            stop = getattr(runner, "stop", None)
            if stop is not None:
                stop()  # the runners keep their partial results and end their scenario processes
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _announce(self, release: str, scenarios: list[str], left: int, early: bool = False) -> None:
        total = self.used + left - 1
        if self.max_releases is not None:
            total = min(total, self.max_releases)
        shown = ", ".join(scenarios[:3]) + (", ..." if len(scenarios) > 3 else "")
        self.log(f"[bisect {self.used}/{max(total, self.used)}] {release}: "
                 f"{counted(len(scenarios), 'scenario')} ({shown})" + (" [ahead]" if early else ""))

    def _merge(self, release: str, scenarios: list[str], probe: Probe, elapsed: float, step: int) -> None:
        took = f"{probe.seconds or elapsed:.0f}s" + (f": {probe.detail}" if probe.detail else "")
        if probe.failure is not None:
            self.gaps[release] = probe.failure
            self.log(f"      {release} skipped: {headline(probe.failure)} ({took})")
            return
        self.ran[release] = (step, list(probe.sources))
        for sid in scenarios:
            if sid in probe.results:
                self.cells.setdefault(sid, {})[release] = probe.results[sid]
            else:
                self.missing[(sid, release)] = f"no cell for {sid} in the run on {release}"
        self.log(f"      {release}: {self._tally(release, scenarios)} ({took})")

    def _tally(self, release: str, scenarios: list[str]) -> str:
        states: Counter[str] = Counter()
        for change in self.changes:
            result = self.cells.get(change.scenario, {}).get(release)
            if change.scenario in scenarios and result is not None:
                states[change.state(result)] += 1
        return "changes: " + ", ".join(f"{n} {state}" for state, n in sorted(states.items())) if states else "no cells"

    # -- the histories -----------------------------------------------------------

    def _untested(self, scenario: str, lo: str, hi: str) -> list[Untested]:
        have = self.cells.get(scenario, {})
        out = []
        for v in self.releases[self.index[lo] + 1 : self.index[hi]]:
            if v in have:
                continue
            reason = self.gaps.get(v) or self.missing.get((scenario, v)) or NOT_TESTED
            out.append(Untested(v, reason))
        return out

    def history(self, change: Change) -> ChangeHistory:
        """Everything observed for ``change``: cells, flips, and the boundary when there is one."""
        results = self.cells.get(change.scenario, {})
        tested = self.tested(change.scenario)
        cells = [
            Cell(v, str(r.status), _error(r), change.value(r), change.state(r))
            for v in tested for r in (results[v],)
        ]
        flips = []
        for a, b in zip(cells, cells[1:]):
            if change.signature(results[a.version]) != change.signature(results[b.version]):
                between = self._untested(change.scenario, a.version, b.version)
                flips.append(Flip(a.version, b.version, a.state, b.state, a.value, b.value,
                                  exact=all(u.reason != NOT_TESTED for u in between), between=between))
        states = [c.state for c in cells]
        first_with = last_without = None
        if states and states[-1] == WITH:
            i = len(states) - 1
            while i > 0 and states[i - 1] == WITH:
                i -= 1
            first_with = cells[i].version
        if states and states[0] == WITHOUT:
            j = 0
            while j + 1 < len(states) and states[j + 1] == WITHOUT:
                j += 1
            last_without = cells[j].version
        state_flips = sum(1 for a, b in zip(states, states[1:]) if a != b)
        monotonic = bool(first_with and last_without) and state_flips == 1
        between = self._untested(change.scenario, last_without, first_with) if monotonic else []
        exact = monotonic and all(u.reason != NOT_TESTED for u in between)
        return ChangeHistory(
            id=change.id, scenario=change.scenario, verdict=str(change.verdict), tracked=change.tracked(),
            cells=cells, first_with=first_with, last_without=last_without,
            monotonic=monotonic, exact=exact, between=between, flips=flips,
            budget_exhausted=self.exhausted and any(not f.exact for f in flips),
        )


def headline(reason: str) -> str:
    """The line of an installer's or runner's output that says why: uv's ``cause:`` line, else the first."""
    lines = [line.strip() for line in str(reason).strip().splitlines() if line.strip()]
    cause = next((line for line in lines if line.startswith("cause:")), None)
    return (cause or (lines[0] if lines else "unknown reason"))[:200]


def _error(result: ScenarioResult) -> dict[str, str] | None:
    if not result.error:
        return None
    lines = str(result.error.get("message") or "").strip().splitlines()
    return {"type": str(result.error.get("type")), "message": lines[0][:300] if lines else ""}
