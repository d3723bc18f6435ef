"""harness.runner.capture: how a body ended, what it warned and logged. No MLflow needed:
a logger named ``mlflow`` is just a logger."""

from __future__ import annotations

import logging
import sys
import warnings

import pytest

from harness.runner.capture import capture, execute
from harness.scenario import Context, ScenarioFailed, ScenarioSpec, Skipped, Unsupported


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot render")


def _raise(exc: BaseException):
    def body(*ctx: Context) -> None:
        raise exc
    return body


@pytest.mark.parametrize("exc, status", [
    (None, "pass"),
    (Unsupported("no aliases before 2.3"), "unsupported"),
    (Skipped("no network"), "skipped"),
    (ScenarioFailed("wrong value"), "fail"),
    (AssertionError("plain assert"), "fail"),
    (ValueError("boom"), "error"),
    (SystemExit(4), "error"),
    (KeyboardInterrupt("inside the body"), "error"),
])
def test_how_a_body_ended_maps_to_one_status_and_nothing_escapes(exc, status):
    captured = capture(_raise(exc) if exc else (lambda: None))
    assert captured.status == status and captured.exception is exc
    assert captured.duration_s >= 0


def test_an_exception_whose_str_raises_keeps_its_type():
    captured = capture(_raise(_Unprintable()))
    assert captured.status == "error"
    assert captured.message == "<str() of _Unprintable failed: RuntimeError>"
    assert "_Unprintable" in captured.traceback()


def test_warnings_and_warning_log_records_are_recorded_and_handlers_removed():
    mlflow_logger, root = logging.getLogger("mlflow"), logging.getLogger()
    handlers = (list(mlflow_logger.handlers), list(root.handlers))

    def body() -> None:
        for _ in range(3):
            warnings.warn("old API", FutureWarning)
        logging.getLogger("mlflow.tracking").warning("deprecated %s", "thing")
        logging.getLogger("mlflow.tracking").info("not kept: below WARNING")
        logging.getLogger("sqlalchemy.engine").error("from another library")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "always" inside the capture, whatever is outside
        captured = capture(body)
    assert [str(w.message) for w in captured.warnings] == ["old API"] * 3
    assert sorted(r.getMessage() for r in captured.records) == ["deprecated thing", "from another library"]
    assert (mlflow_logger.handlers, root.handlers) == handlers


def test_only_the_named_loggers_are_kept():
    captured = capture(lambda: logging.getLogger("alembic").warning("elsewhere"), loggers=("mlflow",))
    assert captured.records == []


def _context(tmp_path) -> Context:
    return Context(work_dir=tmp_path, tracking_uri=f"sqlite:///{tmp_path}/mlflow.db", adapter=None)


def _spec(func) -> ScenarioSpec:
    return ScenarioSpec(id="unit.body", area="unit", kind="capability", func=func)


def test_execute_describes_a_scenario_as_the_run_file_records_it(tmp_path):
    def body(ctx: Context) -> None:
        ctx.observe("where", str(ctx.work_dir / "x"))
        ctx.metric("rows", 3)
        warnings.warn(f"stored under {ctx.work_dir}", DeprecationWarning)
        warnings.warn(f"stored under {ctx.work_dir}", DeprecationWarning)
        logging.getLogger("mlflow.store").warning("a log record")
        raise RuntimeError(f"failed in {ctx.work_dir}")

    data = execute(_spec(body), _context(tmp_path))
    assert data["status"] == "error" and data["reason"] is None
    assert data["error"]["type"] == "RuntimeError" and data["error"]["message"] == "failed in <work>"
    assert "body" in data["error"]["traceback"] and str(tmp_path) not in data["error"]["traceback"]
    assert data["metrics"]["rows"] == 3 and data["metrics"]["peak_rss_mb"] > 0
    assert data["observations"] == {"where": str(tmp_path / "x")}  # the scenario's own value, as it observed it
    [warned, logged] = data["warnings"]
    assert warned["category"] == "DeprecationWarning" and warned["message"] == "stored under <work>"
    assert warned["source"] == "warnings" and warned["count"] == 2
    assert warned["where"] == f"test_capture.py:{body.__code__.co_firstlineno + 3}"
    assert (logged["category"], logged["message"], logged["source"], logged["where"], logged["count"]) == (
        "log.WARNING", "a log record", "logging", "mlflow.store", 1)


@pytest.mark.parametrize("raised, status, error, reason", [
    (Unsupported("needs 2.3"), "unsupported", None, "needs 2.3"),
    (Skipped("no chromium"), "skipped", None, "no chromium"),
    (ScenarioFailed("got 2"), "fail", {"type": "ScenarioFailed", "message": "got 2"}, None),
])
def test_execute_keeps_reasons_and_failures_without_a_traceback(tmp_path, raised, status, error, reason):
    data = execute(_spec(_raise(raised)), _context(tmp_path))
    if data["error"]:
        assert data["error"].pop("raised_in")["origin"] == "scenario"  # see test_origins.py
    assert (data["status"], data["error"], data["reason"]) == (status, error, reason)


def test_execute_records_system_exit_as_an_error_and_returns(tmp_path):
    data = execute(_spec(lambda ctx: sys.exit(4)), _context(tmp_path))
    assert data["status"] == "error" and data["error"]["type"] == "SystemExit" and data["error"]["message"] == "4"
