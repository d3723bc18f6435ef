"""What is bisected, and what "this release has the change" means for one cell.

:func:`changes_to_bisect` is the one place the changes come from (the
analysis' comparison, :mod:`harness.analysis.compare`); :func:`deprecation_key`
the one place a deprecation is keyed (the analysis' key: category, origin and
what it deprecates; only deprecations the user's code can act on are tracked,
as only those are verdicts).

Per verdict, a cell of an intermediate release is ``with`` the change (like
the candidate), ``without`` it (like the baseline) or ``other``:

* ``regressed`` / ``fixed`` / ``newly_unsupported`` track the **status**: its
  class (pass; broken = fail/error/timeout/crashed; unsupported; skipped)
  equal to the candidate's is ``with``, to the baseline's ``without``, any
  other class ``other``. The status itself is the tracked value, so a history
  pass -> fail -> error shows both flips (the search narrows both).
* ``newly_warns`` tracks **one new deprecation** (one change per deprecation
  the candidate raised and the baseline did not): raised is ``with``; not
  raised, while the scenario ended like one of the two ends, ``without``; not
  raised by a scenario that ended another way (it may not have got there)
  ``other``.
* ``changed`` tracks **one observation key**: the scenario ended with the
  two ends' status and observed the candidate's value (``with``), the
  baseline's (``without``), or anything else (``other``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.outcomes import BROKEN, Status, Verdict
from harness.results.runs import RunFile, ScenarioResult

WITH, WITHOUT, OTHER = "with", "without", "other"
STATUS_VERDICTS = (Verdict.REGRESSED, Verdict.FIXED, Verdict.NEWLY_UNSUPPORTED)


def status_class(status: str) -> str:
    """``pass``, ``broken`` (fail/error/timeout/crashed), ``unsupported`` or ``skipped``."""
    return "broken" if Status(status) in BROKEN else str(status)


def deprecation_key(warning: dict[str, Any]) -> str:
    """The key a deprecation is compared by across releases, as text:
    ``category: origin: what it deprecates`` (:func:`harness.analysis.deprecations.deprecation_key`)."""
    from harness.analysis.deprecations import deprecation_key as key

    return ": ".join(key(warning))


def deprecation_keys(result: ScenarioResult) -> set[str]:
    """The cell's deprecations the user's code can act on (the ones ``newly_warns`` counts)."""
    from harness.analysis.deprecations import deprecations

    return {": ".join(k) for k in deprecations(result)}


@dataclass(frozen=True)
class Change:
    """One change between the baseline and the candidate, on one scenario."""

    scenario: str
    verdict: Verdict
    #: "status", "deprecation" or "observation"
    what: str
    #: the deprecation key or the observation key; None for status
    key: str | None
    #: the tracked value on the baseline and on the candidate (statuses for status changes)
    baseline: Any
    candidate: Any
    #: the baseline's and the candidate's status (a deprecation or an observation is read
    #: only from a cell that ended like one of them)
    baseline_status: str
    candidate_status: str
    #: what the comparison said, one line
    text: str = ""

    @property
    def id(self) -> str:
        return f"{self.scenario}:{self.verdict}" + (f":{self.key}" if self.key is not None else "")

    def tracked(self) -> dict[str, Any]:
        return {"what": self.what, "key": self.key, "baseline": self.baseline,
                "candidate": self.candidate, "text": self.text}

    def value(self, result: ScenarioResult) -> Any:
        """The tracked thing in one cell."""
        if self.what == "status":
            return str(result.status)
        if self.what == "deprecation":
            return self.key in deprecation_keys(result)
        return result.observations.get(self.key)

    def state(self, result: ScenarioResult) -> str:
        """``with``, ``without`` or ``other`` (the module docstring says how, per verdict)."""
        if self.what == "status":
            cls = status_class(result.status)
            if cls == status_class(self.candidate_status):
                return WITH
            return WITHOUT if cls == status_class(self.baseline_status) else OTHER
        if self.what == "deprecation":
            if self.value(result):
                return WITH
            ends = {status_class(self.baseline_status), status_class(self.candidate_status)}
            return WITHOUT if status_class(result.status) in ends else OTHER
        if result.status != self.candidate_status or result.status != self.baseline_status:
            return OTHER
        value = self.value(result)
        if value == self.candidate:
            return WITH
        return WITHOUT if value == self.baseline else OTHER

    def signature(self, result: ScenarioResult) -> Any:
        """What must differ between two releases for the search to narrow the step between them:
        the status for status changes (so pass -> fail -> error is two steps), else the state."""
        return str(result.status) if self.what == "status" else self.state(result)


def changes_to_bisect(baseline: RunFile, candidate: RunFile) -> list[Change]:
    """Every change the comparison shows between two runs, timing verdicts left out.

    Source: the analysis' comparison; one change per new deprecation and
    one per differing observation key, so each gets its own boundary.
    """
    from harness.analysis.compare import compare

    base_cells, cand_cells = baseline.by_id(), candidate.by_id()
    found: list[Change] = []
    for sid, verdict in sorted(compare(baseline, candidate).verdicts.items()):
        base, cand = base_cells.get(sid), cand_cells.get(sid)
        if base is None or cand is None:
            continue  # new / gone: nothing to bisect between the two
        ends = dict(baseline_status=str(base.status), candidate_status=str(cand.status))
        for name in verdict.changes:
            kind = Verdict(name)
            if kind in STATUS_VERDICTS:
                text = next((d for d in verdict.details if d.startswith(f"{base.status} -> ")), "")
                found.append(Change(sid, kind, "status", None, str(base.status), str(cand.status), **ends, text=text))
            elif kind is Verdict.NEWLY_WARNS:
                for warning in verdict.new_deprecations:
                    key = deprecation_key(warning)
                    text = f"{warning.get('category')}: {str(warning.get('message', '')).splitlines()[0][:200]}"
                    found.append(Change(sid, kind, "deprecation", key, False, True, **ends, text=text))
            elif kind is Verdict.CHANGED:
                for key, diff in verdict.observation_diff.items():
                    text = f"{key}: {diff['baseline']!r} -> {diff['candidate']!r}"[:300]
                    found.append(Change(sid, kind, "observation", key, diff["baseline"], diff["candidate"], **ends, text=text))
    return found
