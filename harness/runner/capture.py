"""Outcome capture: run a body, record the warnings and log records it raised, say how it ended.

The one engine for everything that runs MLflow code and reports what happened:
the runner's scenarios (``execute``, in the forked child) and the cross-version
steps (``harness.crossversion``). ``capture`` runs a body with every Python
warning recorded (``always``, so a repeated one is counted) and WARNING-and-up
log records of the given loggers collected (MLflow 3 deprecates through
logging), and returns a :class:`Captured`: the exception it raised, if any, and
what it warned. ``Captured.status`` maps how it ended to a status:

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
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from harness.outcomes import Status
from harness.scenario import Context, ScenarioSpec, Skipped, Unsupported

#: loggers whose records a scenario's capture keeps: MLflow's own (which does
#: not propagate) and the root logger (every other library's)
SCENARIO_LOGGERS = ("mlflow", "")


class _RecordCollector(logging.Handler):
    """Keeps WARNING-and-above log records, each once.

    It is attached to several loggers; a record that propagates from one to
    another (a ``mlflow.*`` logger to the root, where MLflow's logger
    propagates) reaches it twice and is kept once.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # the records list keeps each alive: ids stay unique
            self._seen.add(id(record))
            self.records.append(record)


@dataclass
class Captured:
    """How a body ended and what it warned."""

    exception: BaseException | None
    duration_s: float
    warnings: list[warnings.WarningMessage] = field(default_factory=list)
    records: list[logging.LogRecord] = field(default_factory=list)

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
    collector = _RecordCollector()
    attached = [logging.getLogger(name or None) for name in loggers]
    for logger in attached:
        logger.addHandler(collector)
    mlflow_logger = logging.getLogger("mlflow")
    if mlflow_logger.level == logging.NOTSET or mlflow_logger.level > logging.WARNING:
        mlflow_logger.setLevel(logging.WARNING)
    exception: BaseException | None = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            try:
                body()
            except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
                exception = exc
            duration = time.perf_counter() - start
    finally:
        for logger in attached:
            logger.removeHandler(collector)
    return Captured(exception, duration, list(caught), collector.records)


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


def warning_dicts(captured: Captured, work_dir: Path) -> list[dict[str, Any]]:
    """What ``captured`` warned, one entry per (category, message) with a count."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for w in captured.warnings:
        key = (w.category.__name__, _normalise(str(w.message), work_dir))
        entry = seen.setdefault(
            key,
            {
                "category": key[0],
                "message": key[1],
                "source": "warnings",
                "where": f"{Path(w.filename).name}:{w.lineno}",
                "count": 0,
            },
        )
        entry["count"] += 1
    for r in captured.records:
        key = (f"log.{r.levelname}", _normalise(log_message(r), work_dir))
        entry = seen.setdefault(
            key,
            {"category": key[0], "message": key[1], "source": "logging", "where": r.name, "count": 0},
        )
        entry["count"] += 1
    return list(seen.values())


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
        error = {"type": type(exc).__name__, "message": _normalise(captured.message, ctx.work_dir)}
    elif status == Status.ERROR:
        error = {
            "type": type(exc).__name__,
            "message": _normalise(captured.message, ctx.work_dir)[:2000],
            "traceback": _normalise(captured.traceback(limit=8), ctx.work_dir)[-4000:],
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
