"""A pytest run's events -> rows of the matrix: one ``ScenarioResult`` per test.

Each test is a row ``tests.<nodeid>`` (area ``tests``, kind ``test``); its
status follows pytest's own words:

=========================================  =========
pytest                                     status
=========================================  =========
passed (also XPASS, not strict)            pass
failed (the test body; strict XPASS too)   fail
error (setup or teardown failed)           error
skipped, xfail                             skipped
=========================================  =========

with the crash line as the error (``type`` and ``message``), pytest's report
text as ``traceback``, where the exception was raised (``raised_in``), the
duration of all phases, and the warnings with their origins, so compare,
guidance and the gate treat a test like a scenario.

What is not a test gets a row of its own: a module that does not import is
``tests.<module nodeid>`` (error, pytest's message); ``tests.(collection)``
(pass, in every column once pytest got that far) holds the warnings raised
while conftest files and test modules were imported; and when pytest
itself did not end normally, ``tests.(session)`` says how (``timeout``,
``crashed``, ``error``: nothing collected, usage or internal error) with
pytest's last output lines, and the test that was running then gets the same
status.

Ids: a node id is data, kept as pytest writes it (``/``, ``::``, ``[...]``,
spaces); every output escapes ids, the gate's allowlist and ``--only`` match an
id exactly before trying it as a glob, so ``tests.tests/test_a.py::test_x[1]``
works as written.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from harness.outcomes import Status
from harness.results.runs import ScenarioResult

AREA = "tests"
KIND = "test"
SESSION = f"{AREA}.(session)"
COLLECTION = f"{AREA}.(collection)"
#: pytest's outcome words -> statuses (a phase's outcome as the plugin wrote it)
PHASE_STATUS = {"passed": Status.PASS, "failed": Status.FAIL, "skipped": Status.SKIPPED}
#: pytest's exit codes that are not about the tests (https://docs.pytest.org/en/stable/reference/exit-codes.html)
EXIT_MEANING = {2: "pytest was interrupted", 3: "pytest hit an internal error",
                4: "pytest's command line was wrong", 5: "pytest collected no tests"}
MESSAGE_CHARS = 2000
_RAISED = re.compile(r"^E\s+([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)):", re.M)


def row_id(nodeid: str) -> str:
    return f"{AREA}.{nodeid}"


def _row(sid: str, status: Status, duration: float = 0.0, **fields: Any) -> ScenarioResult:
    return ScenarioResult(id=sid, area=AREA, kind=KIND, status=status, duration_s=round(duration, 6), **fields)


def _error(type_name: str | None, crash: str, text: str, raised_in: Any = None) -> dict[str, Any]:
    """An error record as a scenario's: the exception's type and message (pytest's crash line
    ``mlflow.exceptions.MlflowException: ...`` is split into both), pytest's report as ``traceback``."""
    named = re.match(r"^([A-Za-z_][\w.]*):\s?", crash)
    if type_name is None:
        type_name = named.group(1).rsplit(".", 1)[-1] if named else "Failed"
    if named and named.group(1).rsplit(".", 1)[-1] == type_name:
        crash = crash[named.end():]
    message = crash
    error: dict[str, Any] = {"type": type_name, "message": (message or crash)[:MESSAGE_CHARS], "traceback": text}
    if raised_in:
        error["raised_in"] = raised_in
    return error


def test_row(event: dict[str, Any]) -> ScenarioResult:
    """One finished test (a ``test`` event of the plugin) as a row."""
    phases = list(event.get("phases") or [])
    by_when = {p.get("when"): p for p in phases}
    failed = [p for p in phases if PHASE_STATUS.get(p.get("outcome")) == Status.FAIL]
    skipped = next((p for p in phases if PHASE_STATUS.get(p.get("outcome")) == Status.SKIPPED), None)
    duration = sum(float(p.get("duration") or 0.0) for p in phases)
    fields: dict[str, Any] = {"warnings": list(event.get("warnings") or []), "description": event.get("description")}
    if failed:
        first = by_when.get("call") if by_when.get("call") in failed else failed[0]
        status = Status.FAIL if first.get("when") == "call" else Status.ERROR
        fields["error"] = _error(first.get("type"), first.get("crash") or "", first.get("text") or "",
                                 first.get("raised_in"))
        others = [p["when"] for p in failed if p is not first]
        if others:
            fields["reason"] = f"also failed in {', '.join(others)}"
        if status == Status.ERROR:
            fields["reason"] = f"error in {first.get('when')}" + (f"; {fields['reason']}" if others else "")
    elif skipped is not None:
        status = Status.SKIPPED
        xfail = skipped.get("wasxfail")
        fields["reason"] = f"xfail: {xfail}" if xfail is not None else skipped.get("reason") or "skipped"
    else:
        status = Status.PASS
        xpass = by_when.get("call", {}).get("wasxfail")
        if xpass is not None:
            fields["reason"] = f"XPASS (expected to fail: {xpass})"
    if not phases:
        status, fields["reason"] = Status.ERROR, "pytest reported no phase of this test"
    return _row(row_id(event["nodeid"]), status, duration, **fields)


def collect_error_row(event: dict[str, Any]) -> ScenarioResult:
    text = event.get("text") or ""
    crash = event.get("crash") or ""
    raised = _RAISED.findall(text)
    type_name = raised[-1] if raised else "CollectionError"
    if not crash:
        crash = next((line.strip()[1:].strip() for line in reversed(text.splitlines()) if line.startswith("E ")), "")
    return _row(row_id(event["nodeid"] or "(collection)"), Status.ERROR,
                error=_error(type_name, crash or "the module could not be collected", text),
                reason="pytest could not collect this module")


def rows(events: Iterable[dict[str, Any]], ended: dict[str, Any], tail: str) -> list[ScenarioResult]:
    """Every row of one pytest run: its events in order, then how it ended.

    ``ended`` is ``{"exit_code", "signal", "timed_out", "seconds", "timeout"}``
    (``harness.procs.Finished``); ``tail`` pytest's last output lines.
    """
    found: dict[str, ScenarioResult] = {}
    running: str | None = None
    started = False
    finished = collected = None
    for event in events:
        started = True
        kind = event.get("event")
        if kind == "start":
            running = event["nodeid"]
        elif kind == "test":
            found[row_id(event["nodeid"])] = test_row(event)
            running = None if running == event["nodeid"] else running
        elif kind == "warnings" and row_id(event.get("nodeid", "")) in found:
            found[row_id(event["nodeid"])].warnings.extend(event.get("warnings") or [])
        elif kind == "collect_error":
            row = collect_error_row(event)
            found[row.id] = row
        elif kind == "collection_warnings":
            found[COLLECTION] = _row(COLLECTION, Status.PASS, warnings=list(event.get("warnings") or []),
                                     description="loading conftest files and importing the test modules")
        elif kind == "collected":
            collected = event.get("count")
        elif kind == "finish":
            finished = event.get("exitstatus")
    problem = session_problem(ended, started, finished, collected, tail)
    if problem is not None:
        if running is not None:  # the test pytest was in when it died or was killed
            status = problem.status if problem.status in (Status.TIMEOUT, Status.CRASHED) else Status.ERROR
            found[row_id(running)] = _row(row_id(running), status,
                                          reason=f"running when {problem.error['message']}")
        found[SESSION] = problem
    return list(found.values())


def session_problem(ended: dict[str, Any], started: bool, finished: int | None, collected: int | None,
                    tail: str) -> ScenarioResult | None:
    """The ``tests.(session)`` row when pytest did not end normally (exit 0 or 1), else None.

    ``started``: the plugin wrote anything (pytest got as far as configuring it);
    ``finished``: the exit status pytest announced at the end of its session.
    """
    seconds = float(ended.get("seconds") or 0.0)
    last = f"\n{tail}" if tail else ""

    def problem(status: Status, message: str) -> ScenarioResult:
        return _row(SESSION, status, seconds, error={"type": "PytestSession", "message": message},
                    reason=f"{message}{last}")

    code = ended.get("exit_code")
    if ended.get("timed_out"):
        return problem(Status.TIMEOUT, f"pytest did not finish within {ended.get('timeout', 0):g}s; process tree killed")
    if ended.get("signal") is not None:
        return problem(Status.CRASHED, f"pytest was killed by signal {ended['signal']}")
    if finished is None:
        if not started:
            return problem(Status.ERROR, f"pytest did not start (exit code {code})")
        if code == 4:
            return problem(Status.ERROR, EXIT_MEANING[4])
        return problem(Status.CRASHED, f"pytest exited with code {code} before its session ended")
    if finished in EXIT_MEANING:
        none = " (nothing matched the paths)" if finished == 5 and not collected else ""
        return problem(Status.ERROR, f"{EXIT_MEANING[finished]}{none} (exit code {finished})")
    if finished not in (0, 1):
        return problem(Status.ERROR, f"pytest ended with exit code {finished}")
    return None
