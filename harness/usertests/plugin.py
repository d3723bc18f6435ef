"""The pytest plugin that records a project's tests for the matrix (``-p harness.usertests.plugin``).

Loaded into the user's own pytest run inside one version's environment
(``harness.usertests.suite`` starts it). For every test it writes one JSON line
to ``--mlflow-compat-events``: each phase's outcome (setup, call, teardown),
the failure's crash line and pytest's report text, the exception's origin, the
duration, and the warnings pytest captured plus WARNING log records (MLflow 3
deprecates through logging), each with its origin, exactly as the matrix
records a scenario's (``harness.runner.capture.warning_dicts``). A line is
written and flushed as each test starts and ends, so a pytest that crashes or
hangs still leaves what it finished and the name of the test it was running.

Warnings come from pytest's ``pytest_warning_recorded`` hook. Their stacks,
which the origin of a warning needs (the frame a warning is attributed to is
not always the code that raised it), are taken when Python shows a warning
(``warnings._showwarnmsg``, which pytest's own recording passes through);
pytest's and pluggy's frames around the test are cut off, as the runner's own
frames are around a scenario, so a chain starts at the test's code.

It judges nothing: ``harness.usertests.rows`` maps these events to statuses.
Standard library plus the harness's runner modules (stdlib only) and pytest.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from harness.runner import capture, origins

#: the outermost frames of a stack that are pytest running the test, not the test
_RUNNER_ORIGINS = {f"{origins.LIBRARY}pytest", f"{origins.LIBRARY}pluggy", origins.STDLIB, None}
#: characters of pytest's report text kept per phase
REPORT_CHARS = 4000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlflow-compat")
    group.addoption("--mlflow-compat-events", default=None, help="write one JSON line per test event here")
    group.addoption("--mlflow-compat-work", default=None, help="temporary directory to write as <work>")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--mlflow-compat-events", default=None)
    if path:
        work = config.getoption("--mlflow-compat-work", default=None)
        config.pluginmanager.register(Recorder(Path(path), Path(work or os.getcwd())), "mlflow-compat-recorder")


def trim(stack: origins.Stack) -> origins.Stack:
    """``stack`` (innermost first) without pytest's, pluggy's and the interpreter's frames outside the test."""
    end = len(stack)
    while end > 0 and origins.place(stack[end - 1][0]).origin in _RUNNER_ORIGINS:
        end -= 1
    return stack[:end] if end else stack


class Recorder:
    """Writes the events; registered by :func:`pytest_configure` when asked to."""

    def __init__(self, path: Path, work: Path) -> None:
        self.out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole session
        self.work = work
        self.stacks: dict[int, origins.Stack] = {}
        self.collector = capture.RecordCollector(self.stacks, None)
        self.loggers = self.collector.attach()
        self.phases: dict[str, list[dict[str, Any]]] = {}
        self.warned: dict[str, list[warnings.WarningMessage]] = {}
        self.records_from: dict[str, int] = {}
        self.written: set[str] = set()
        self.collection: list[warnings.WarningMessage] = []
        self.testing = False
        self._show = warnings._showwarnmsg  # type: ignore[attr-defined]
        warnings._showwarnmsg = self._showwarnmsg  # type: ignore[attr-defined]

    # -- plumbing -----------------------------------------------------------
    def _showwarnmsg(self, msg: warnings.WarningMessage) -> None:
        """Every warning passes here on its way to pytest's record: keep its stack (keyed by the message)."""
        try:
            self.stacks[id(msg)] = trim(origins.stack_here(skip=2))
        except Exception:  # noqa: BLE001 - a warning without a stack still has its file and line
            pass
        self._show(msg)

    def emit(self, event: dict[str, Any]) -> None:
        self.out.write(json.dumps(event, default=repr) + "\n")
        self.out.flush()

    def _warnings(self, caught: list[warnings.WarningMessage], records: list) -> list[dict[str, Any]]:
        stacks = {key: trim(stack) for key, stack in self.stacks.items()}
        return capture.warning_dicts(capture.Captured(None, 0.0, list(caught), list(records), stacks), self.work)

    def _text(self, text: str) -> str:
        return str(text).replace(str(self.work), "<work>")

    # -- hooks --------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        excinfo = call.excinfo
        if excinfo is not None and report.failed:
            report.mlflow_compat_type = excinfo.typename
            report.mlflow_compat_raised_in = capture.raised_in(
                excinfo.value, self.work, trim(origins.stack_of(excinfo.value)))
        return report

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.phases[nodeid] = []
        self.records_from[nodeid] = len(self.collector.records)
        self.emit({"event": "start", "nodeid": nodeid, "at": time.time()})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        phase: dict[str, Any] = {"when": report.when, "outcome": report.outcome,
                                 "duration": round(report.duration, 6)}
        if hasattr(report, "wasxfail"):
            phase["wasxfail"] = str(report.wasxfail)
        if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            phase["reason"] = str(report.longrepr[2]).removeprefix("Skipped: ")
        elif report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            phase["crash"] = self._text(getattr(crash, "message", "") or "")
            phase["text"] = self._text(report.longreprtext)[-REPORT_CHARS:]
            phase["type"] = getattr(report, "mlflow_compat_type", None)
            phase["raised_in"] = getattr(report, "mlflow_compat_raised_in", None)
        self.phases.setdefault(report.nodeid, []).append(phase)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any):
        # tryfirst and registered after pytest's warnings plugin: this wrapper is outside
        # its, so the test's warnings have been handed to pytest_warning_recorded when it ends
        try:
            return (yield)
        finally:
            self._finish(item)

    def _finish(self, item: pytest.Item) -> None:
        nodeid = item.nodeid
        records = self.collector.records[self.records_from.pop(nodeid, len(self.collector.records)):]
        doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip().splitlines()
        self.emit({"event": "test", "nodeid": nodeid, "description": doc[0] if doc else None,
                   "phases": self.phases.pop(nodeid, []),
                   "warnings": self._warnings(self.warned.pop(nodeid, []), records)})
        self.written.add(nodeid)
        self.collector.clear()
        self.stacks.clear()

    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage, when: str, nodeid: str,
                                location: Any) -> None:
        if when == "runtest" and nodeid:
            if nodeid in self.written:  # after its line was written (another plugin order)
                self.emit({"event": "warnings", "nodeid": nodeid, "warnings": self._warnings([warning_message], [])})
            else:
                self.warned.setdefault(nodeid, []).append(warning_message)
        elif when == "collect" or (when == "config" and not self.testing):
            # importing conftest files and test modules, before any test ran
            self.collection.append(warning_message)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            self.emit({"event": "collect_error", "nodeid": report.nodeid,
                       "crash": self._text(getattr(crash, "message", "") or ""),
                       "text": self._text(report.longreprtext)[-REPORT_CHARS:]})

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.emit({"event": "collected", "count": len(session.items)})

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        # after pytest_collection, whose wrapper hands the collection's warnings over as it ends;
        # written even when there are none, so the row is there in every version's column
        self.testing = True
        self.emit({"event": "collection_warnings", "warnings": self._warnings(self.collection, [])})
        self.collection.clear()

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.emit({"event": "finish", "exitstatus": int(exitstatus)})

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        warnings._showwarnmsg = self._show  # type: ignore[attr-defined]
        for logger in self.loggers:
            logger.removeHandler(self.collector)
        self.out.close()
