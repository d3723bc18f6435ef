"""What the in-environment functions of every check group share (they run inside one MLflow environment).

``check`` runs one check's body through the runner's capture engine
(``harness.runner.capture``) and returns the result the orchestrator records:
``{"id", "status", "error", "observations", "duration_s", ...}``. The body
fills ``observations``; nothing here knows what a version is expected to do.
A step writes ``{"mlflow_version": ..., "results": [...]}`` to ``--out``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from harness.outcomes import Status
from harness.runner.capture import capture, log_message

MAX_TEXT = 400
#: the loggers a check keeps records of: MLflow's (MLflow 3 deprecates through logging)
CHECK_LOGGERS = ("mlflow",)


def short(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check(sid: str, body: Callable[[dict[str, Any]], None], **extra: Any) -> dict[str, Any]:
    """Run ``body(observations)`` and describe how it ended, as check ``sid``.

    An interrupt or ``SystemExit`` inside the body is not a check result: it
    ends the step's process, and the orchestrator records why.
    """
    result: dict[str, Any] = {"id": sid, "status": "pass", "error": None, "observations": {}, **extra}
    obs = result["observations"]
    captured = capture(functools.partial(body, obs), loggers=CHECK_LOGGERS)
    exc = captured.exception
    if exc is not None and not isinstance(exc, Exception):
        raise exc
    if exc is not None:
        result["status"] = str(captured.status)
        result["error"] = {"type": type(exc).__name__, "message": short(captured.message) or type(exc).__name__}
        if captured.status == Status.ERROR:
            obs.setdefault("traceback_tail", short(captured.traceback()[-1200:], 1200))
    warned = [f"log.{r.levelname}: {log_message(r)}" for r in captured.records]
    warned += [f"{w.category.__name__}: {w.message}" for w in captured.warnings]
    if warned:
        obs["warnings"] = sorted({short(w, 240) for w in warned})[:6]
    result["duration_s"] = round(captured.duration_s, 3)
    return result


def iris():
    """scikit-learn's bundled iris data as (X DataFrame, y Series)."""
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


def client(uri: str):
    """An ``MlflowClient`` for tracking and registry at ``uri``."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)
