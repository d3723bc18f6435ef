"""Outcome capture: run a body, record the warnings and log records it raised, say how it ended.

The one engine for everything that runs MLflow code and reports what happened:
the runner's scenarios (``execute``, in the forked child) and the cross-version
steps (``harness.crossversion``). ``capture`` runs a body with every Python
warning recorded (``always``, so a repeated one is counted) and WARNING-and-up
log records of the given loggers collected (MLflow 3 deprecates through
logging), and returns a :class:`Captured`: the exception it raised, if any,
what it warned, and the stack each warning was raised from (the run file
records where it came from: ``harness.runner.origins``).
``Captured.status`` maps how it ended to a status:

* returned                                  -> ``pass``
* ``Unsupported`` (adapter / ``ctx.unsupported``) -> ``unsupported``
* ``Skipped`` (``ctx.skip``)               -> ``skipped``
* ``AssertionError`` (``ctx.check``/``ctx.fail``) -> ``fail``
* any other exception, ``SystemExit`` and ``KeyboardInterrupt`` too -> ``error``
"""

from __future__ import annotations

import functools
import json
import logging
import resource
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Iterable

from harness.outcomes import Status
from harness.runner import origins
from harness.runner.origins import Stack, stack_here, stack_of
from harness.scenario import Context, ScenarioSpec, Skipped, Unsupported

#: loggers whose records a scenario's capture keeps: MLflow's own (which does
#: not propagate) and the root logger (every other library's)
SCENARIO_LOGGERS = ("mlflow", "")


class RecordCollector(logging.Handler):
    """Keeps WARNING-and-above log records, each once, with the stack each was logged from.

    It is attached to several loggers; a record that propagates from one to
    another (a ``mlflow.*`` logger to the root, where MLflow's logger
    propagates) reaches it twice and is kept once. Also used by the pytest
    plugin (``harness.usertests.plugin``) for a user's tests.
    """

    def __init__(self, stacks: dict[int, Stack], stop: FrameType | None) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self.stacks = stacks
        self.stop = stop
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # the records list keeps each alive: ids stay unique
            self._seen.add(id(record))
            self.records.append(record)
            # emitted synchronously: the logging call is on the stack
            self.stacks[id(record)] = stack_here(stop=self.stop)

    def attach(self, loggers: Iterable[str] = SCENARIO_LOGGERS) -> list[logging.Logger]:
        """Collect from ``loggers`` ("" is the root); MLflow's logger is set to pass WARNING on."""
        attached = [logging.getLogger(name or None) for name in loggers]
        for logger in attached:
            logger.addHandler(self)
        mlflow_logger = logging.getLogger("mlflow")
        if mlflow_logger.level == logging.NOTSET or mlflow_logger.level > logging.WARNING:
            mlflow_logger.setLevel(logging.WARNING)
        return attached

    def clear(self) -> None:
        """Forget what was collected (and which records were seen: their ids may be reused now)."""
        self.records.clear()
        self._seen.clear()


class _WarningRecorder:
    """Stands in for ``warnings.showwarning`` while a body runs.

    Keeps every warning, as ``catch_warnings(record=True)`` would, and for the
    first of each (category, text) the stack it was raised from: the frame
    ``stacklevel`` attributes a warning to is not always the code that raised
    it (SQLAlchemy and pandas attribute theirs to their caller).
    """

    def __init__(self, stacks: dict[int, Stack], stop: FrameType | None) -> None:
        self.caught: list[warnings.WarningMessage] = []
        self.stacks = stacks
        self.stop = stop
        self._keys: set[tuple[type, str]] = set()

    def __call__(self, message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
        caught = warnings.WarningMessage(message, category, filename, lineno, file, line)
        self.caught.append(caught)
        key = (category, _text(message))
        if key not in self._keys:
            self._keys.add(key)
            self.stacks[id(caught)] = stack_here(stop=self.stop)


@dataclass
class Captured:
    """How a body ended and what it warned."""

    exception: BaseException | None
    duration_s: float
    warnings: list[warnings.WarningMessage] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)
    #: id() of a warning or record -> the stack at emit time, innermost first
    #: (for each record, and for the first warning of each category and text)
    stacks: dict[int, Stack] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        exc = self.exception
        if exc is None:
            return Status.PASS
        if isinstance(exc, Unsupported):
            return Status.UNSUPPORTED
        if isinstance(exc, Skipped):
            return Status.SKIPPED
        if isinstance(exc, AssertionError):
            return Status.FAIL
        return Status.ERROR

    @property
    def message(self) -> str:
        """The exception's text ("" when the body returned)."""
        return "" if self.exception is None else safe_str(self.exception)

    def traceback(self, limit: int | None = None) -> str:
        """The exception's traceback as Python prints it ("" when the body returned)."""
        if self.exception is None:
            return ""
        return "".join(traceback.format_exception(self.exception, limit=limit))


def capture(body: Callable[[], Any], loggers: Iterable[str] = SCENARIO_LOGGERS) -> Captured:
    """Run ``body``, recording warnings and log records; never raises what ``body`` raised."""
    stacks: dict[int, Stack] = {}
    here = sys._getframe()  # the stacks end at the body: who called capture is no one's origin
    collector, recorder = RecordCollector(stacks, here), _WarningRecorder(stacks, here)
    attached = collector.attach(loggers)
    exception: BaseException | None = None
    try:
        with warnings.catch_warnings():  # restores the filters and showwarning afterwards
            warnings.simplefilter("always")
            warnings.showwarning = recorder
            start = time.perf_counter()
            try:
                body()
            except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
                exception = exc
            duration = time.perf_counter() - start
    finally:
        for logger in attached:
            logger.removeHandler(collector)
        collector.stop = recorder.stop = None  # no cycle through this frame
    return Captured(exception, duration, recorder.caught, collector.records, stacks)


def _text(message: Warning | str) -> str:
    try:
        return str(message)
    except Exception:  # noqa: BLE001 - a warning whose str() raises still counts
        return repr(type(message))


def safe_str(exc: BaseException) -> str:
    """``str(exc)``, even for an exception whose ``__str__`` itself raises."""
    try:
        return str(exc)
    except BaseException as inner:  # noqa: BLE001 - keep the type, lose only the text
        return f"<str() of {type(exc).__name__} failed: {type(inner).__name__}>"


def log_message(record: logging.LogRecord) -> str:
    """A record's formatted message; a broken log call still has its raw text."""
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - a broken log call still counts
        return str(record.msg)


# -- a scenario's outcome, as the run file records it ------------------------
def _normalise(text: str, work_dir: Path) -> str:
    return str(text).replace(str(work_dir), "<work>")


def _origin_fields(stack: Stack | None, filename: str, lineno: int, work_dir: Path) -> dict[str, Any]:
    """Where a warning or log record came from (see ``harness.runner.origins``); {} when that
    cannot be told (unreadable package metadata must not cost the scenario its result)."""
    try:
        return _origin_fields_of(stack, filename, lineno, work_dir)
    except Exception:  # noqa: BLE001 - the warning itself is still recorded
        return {}


def _origin_fields_of(stack: Stack | None, filename: str, lineno: int, work_dir: Path) -> dict[str, Any]:
    found = origins.origin_of(stack or [(filename, lineno)])
    fields: dict[str, Any] = {
        "origin": found.origin,
        "frame": _normalise(origins.frame_of(filename, lineno), work_dir),
        "frame_origin": origins.place(filename).origin,
        "raised_at": found.raised_at and _normalise(found.raised_at, work_dir),
        "scenario_frame": found.scenario_frame and _normalise(found.scenario_frame, work_dir),
        "mlflow_frame": found.mlflow_frame,
        "chain": list(found.chain),
    }
    if found.origin.startswith(origins.LIBRARY):
        fields["version"] = found.version
    return fields


def warning_dicts(captured: Captured, work_dir: Path) -> list[dict[str, Any]]:
    """What ``captured`` warned, one entry per (category, message) with a count and its origin.

    ``where`` is the attributed frame's file name and line (warnings) or the
    logger's name (log records), as before origins were recorded.
    """
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for w in captured.warnings:
        key = (w.category.__name__, _normalise(_text(w.message), work_dir))
        if key not in seen:
            seen[key] = {
                "category": key[0],
                "message": key[1],
                "source": "warnings",
                "where": f"{Path(w.filename).name}:{w.lineno}",
                "count": 0,
                **_origin_fields(captured.stacks.get(id(w)), w.filename, w.lineno, work_dir),
            }
        seen[key]["count"] += 1
    for r in captured.records:
        key = (f"log.{r.levelname}", _normalise(log_message(r), work_dir))
        if key not in seen:
            seen[key] = {
                "category": key[0], "message": key[1], "source": "logging", "where": r.name, "count": 0,
                **_origin_fields(captured.stacks.get(id(r)), r.pathname, r.lineno, work_dir),
            }
        seen[key]["count"] += 1
    return list(seen.values())


def raised_in(exc: BaseException, work_dir: Path, stack: Stack | None = None) -> dict[str, Any] | None:
    """The frame that raised ``exc`` (the innermost that is not the standard library) and whose it is.

    ``distribution`` and ``version`` name the package (MLflow's distribution
    or a library) whose code raised it, so a status change can be put down to
    a companion package whose version differs between two environments.
    ``stack`` replaces the exception's own traceback (the pytest plugin passes
    it without pytest's frames around the test).
    """
    try:
        found = origins.origin_of(stack if stack is not None else stack_of(exc))
    except Exception:  # noqa: BLE001 - unreadable package metadata must not cost the error its record
        return None
    return {
        "origin": found.origin,
        "frame": found.raised_at and _normalise(found.raised_at, work_dir),
        "distribution": found.distribution and origins.canonical(found.distribution),
        "version": found.version,
        "scenario_frame": found.scenario_frame and _normalise(found.scenario_frame, work_dir),
        "mlflow_frame": found.mlflow_frame,
        "chain": list(found.chain),
    }


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def execute(spec: ScenarioSpec, ctx: Context) -> dict[str, Any]:
    """Run one scenario body in this process and describe how it ended."""
    captured = capture(functools.partial(spec.func, ctx))  # no extra frame in the traceback
    status, error, reason = captured.status, None, None
    exc = captured.exception
    if status in (Status.UNSUPPORTED, Status.SKIPPED):
        reason = str(exc)
    elif status == Status.FAIL:
        error = {
            "type": type(exc).__name__,
            "message": _normalise(captured.message, ctx.work_dir),
            "raised_in": raised_in(exc, ctx.work_dir),
        }
    elif status == Status.ERROR:
        error = {
            "type": type(exc).__name__,
            "message": _normalise(captured.message, ctx.work_dir)[:2000],
            "traceback": _normalise(captured.traceback(limit=8), ctx.work_dir)[-4000:],
            "raised_in": raised_in(exc, ctx.work_dir),
        }
    usage = resource.getrusage(resource.RUSAGE_SELF)
    metrics = {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}
    metrics.update({k: _jsonable(v) for k, v in ctx.metrics.items()})
    return {
        "status": str(status),
        "duration_s": round(captured.duration_s, 6),
        "error": error,
        "reason": reason,
        "warnings": warning_dicts(captured, ctx.work_dir),
        "timing": ctx.timing.to_dict() if ctx.timing else None,
        "metrics": metrics,
        "observations": {k: _jsonable(v) for k, v in ctx.observations.items()},
    }
