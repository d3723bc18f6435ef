"""Where each change happened: the bisect results (``results/bisect/<baseline>__<candidate>.json``)
as the analysis uses them.

* the first release whose status left the baseline's for a scenario, when a
  bisect proved it (every release between tested or uninstallable): the
  rollback pin's upper bound (``mlflow>=2.9,<2.18.0``) instead of the next
  tested version, which vouches for releases no run tested;
* the first release from which a replacement idiom passes: when a migration
  can be made;
* every change's history, for the report's "since" lines and release strips.

Only bisects from the matrix's baseline count; several candidates' bisects
are read together (a release's cells are the same whichever pair found them).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.outcomes import Status, Verdict
from harness.results.bisect import BisectResult, ChangeHistory


@dataclass(frozen=True)
class Boundary:
    """The first release where a scenario's status left the baseline's."""

    scenario: str
    first: str
    #: True when every release before ``first`` (from the baseline on) was tested or could not install
    exact: bool
    #: the release tested just before it
    last_good: str | None


def for_baseline(results: list[BisectResult], baseline: str | None) -> list[BisectResult]:
    return [r for r in results if r.baseline.get("version") == baseline]


def _status_histories(results: list[BisectResult], sid: str) -> list[ChangeHistory]:
    return [h for r in results for h in r.changes if h.scenario == sid and h.tracked.get("what") == "status"]


def first_break(results: list[BisectResult], sid: str) -> Boundary | None:
    """The earliest proven release where ``sid``'s status left the baseline's, or None."""
    found = []
    for history in _status_histories(results, sid):
        if not history.flips:
            continue
        flip = history.flips[0]
        found.append(Boundary(sid, flip.after, flip.exact, flip.before))
    return min(found, key=lambda b: _key(b.first), default=None)


def passes_from(results: list[BisectResult], sid: str) -> str | None:
    """The release from which ``sid`` passes (a ``fixed`` history's last flip into pass), or None."""
    for history in _status_histories(results, sid):
        if Verdict(history.verdict) == Verdict.FIXED and history.flips:
            last = history.flips[-1]
            if last.exact and history.cell(last.after) and history.cell(last.after).status == Status.PASS:
                return last.after
    return None


def _key(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)
