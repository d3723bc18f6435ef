"""Bisect every change between one baseline run and one candidate run -> a :class:`BisectResult`."""

from __future__ import annotations

import datetime as dt
import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable

from packaging.version import InvalidVersion, Version

from harness.analysis.text import counted
from harness.bisect.changes import Change, changes_to_bisect
from harness.bisect.releases import known_cells, shown
from harness.bisect.search import Runner, Search
from harness.errors import HarnessError
from harness.results.bisect import BisectResult, Tested, Untested
from harness.results.runs import RunFile


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def releases_between(baseline: str, candidate: str, listed: Iterable[str]) -> list[str]:
    """Final releases from ``baseline`` to ``candidate`` (both included), oldest first."""
    try:
        lo, hi = Version(baseline), Version(candidate)
    except InvalidVersion as exc:
        raise HarnessError(f"cannot bisect: {exc}") from None
    if lo >= hi:
        raise HarnessError(f"cannot bisect from {baseline} to {candidate}: the baseline must be the older release")
    found = {Version(baseline), Version(candidate)}
    for raw in listed:
        try:
            version = Version(raw)
        except InvalidVersion:
            continue
        if lo < version < hi and not (version.is_prerelease or version.is_devrelease):
            found.add(version)
    return [str(v) for v in sorted(found)]


def chosen(scenario: str, only: list[str]) -> bool:
    """Does ``--only`` select ``scenario`` (an id glob, or its area)? Everything when ``only`` is empty."""
    return not only or any(fnmatchcase(scenario, p) or scenario.split(".")[0] == p for p in only)


def selected(changes: list[Change], only: list[str]) -> list[Change]:
    """Changes whose scenario ``--only`` selects."""
    return [c for c in changes if chosen(c.scenario, only)]


def merged(earlier: BisectResult, newer: BisectResult, only: list[str]) -> BisectResult:
    """``newer`` (a bisect of the scenarios ``only`` selects) with ``earlier``'s changes of every other
    scenario kept, so bisecting a few scenarios never loses the rest of the pair's file."""
    if not only or (earlier.baseline, earlier.candidate) != (newer.baseline, newer.candidate):
        return newer
    kept = [c for c in earlier.changes if not chosen(c.scenario, only)]
    if not kept:
        return newer
    newer.changes = sorted([*newer.changes, *kept], key=lambda c: c.id)
    scenarios = {c.scenario for c in kept}
    tested = {t.version: t for t in newer.tested}
    for old in earlier.tested:
        keep = [sid for sid in old.scenarios if sid in scenarios]
        if not keep:
            continue
        if old.version in tested:
            t = tested[old.version]
            t.sources = list(dict.fromkeys([*t.sources, *old.sources]))
            t.scenarios = sorted({*t.scenarios, *keep})
        else:
            tested[old.version] = Tested(old.version, list(old.sources), keep, old.step)
    newer.tested = [tested[v] for v in sorted(tested, key=Version)]
    gaps = {g.version: g for g in earlier.gaps} | {g.version: g for g in newer.gaps}
    newer.gaps = [gaps[v] for v in sorted(gaps, key=Version)]
    newer.releases = sorted({*earlier.releases, *newer.releases}, key=Version)
    newer.settings["kept_from"] = earlier.started_at
    return newer


def bisect_pair(
    baseline: RunFile,
    candidate: RunFile,
    *,
    listed_releases: Iterable[str],
    runner: Runner,
    previous: Iterable[RunFile] = (),
    only: list[str] | None = None,
    max_releases: int | None = None,
    jobs: int = 1,
    results_base: Path | None = None,
    settings: dict | None = None,
    log: Callable[[str], None] = print,
) -> BisectResult:
    """Search the first release of every change; ``previous`` runs (matrix, earlier bisects) are reused.

    Run files are named in the result relative to ``results_base`` (the results directory).
    """
    started_at, start = utc_now(), time.perf_counter()
    releases = releases_between(baseline.mlflow_version, candidate.mlflow_version, listed_releases)
    changes = selected(changes_to_bisect(baseline, candidate), list(only or []))
    inner, sources = known_cells(previous, releases[1:-1], base=results_base)
    known = {**inner, baseline.mlflow_version: baseline.by_id(), candidate.mlflow_version: candidate.by_id()}
    for run in (baseline, candidate):
        sources[run.mlflow_version] = [shown(run.path, results_base) if run.path else run.label]
    search = Search(releases, changes, known, max_releases=max_releases, log=log)
    scenarios = sorted({c.scenario for c in changes})
    log(f"bisect {baseline.mlflow_version} -> {candidate.mlflow_version}: {counted(len(changes), 'change')} "
        f"in {counted(len(scenarios), 'scenario')}, "
        f"{len(releases) - 2} releases between"
        + (f", at most {max_releases} to run" if max_releases is not None else ""))
    result = BisectResult(
        baseline={"version": baseline.mlflow_version, "label": baseline.label},
        candidate={"version": candidate.mlflow_version, "label": candidate.label},
        started_at=started_at, releases=releases,
        settings={**(settings or {}), "only": list(only or []), "jobs": jobs, "changes_from": "harness.analysis.compare"},
    )
    try:
        search.run(runner, jobs=jobs)
    except KeyboardInterrupt:
        # what was observed so far is kept (the caller saves it, marked interrupted)
        result.run_status = "interrupted"
        log("[bisect] interrupted; keeping what was observed so far")
    result.duration_s = round(time.perf_counter() - start, 1)
    result.changes = [search.history(c) for c in changes]
    result.gaps = [Untested(v, search.gaps[v]) for v in search.releases if v in search.gaps]
    result.budget = {"max_releases": max_releases, "used": search.used, "exhausted": search.exhausted}
    result.tested = _tested(search, scenarios, sources)
    return result


def _tested(search: Search, scenarios: list[str], sources: dict[str, list[str]]) -> list[Tested]:
    out = []
    for version in search.releases:
        have = [sid for sid in scenarios if version in search.cells.get(sid, {})]
        if not have:
            continue
        step, ran_from = search.ran.get(version, (None, []))
        out.append(Tested(version, sources=[*sources.get(version, []), *ran_from], scenarios=have, step=step))
    return out
