"""Tracing: the ``@mlflow.trace`` decorator, and whether its trace is recorded."""

from __future__ import annotations

import re
import time

from harness.scenario import Context, scenario
from scenarios._common import setup_quietly


@scenario(id="tracing.decorator", area="tracing", kind="idiom", code="@mlflow.trace on a function, then call it")
def trace_decorator(ctx: Context) -> None:
    """A traced function returns its value and leaves exactly one stored trace."""
    import mlflow

    @mlflow.trace
    def add(a: int, b: int) -> int:
        return a + b

    ctx.check(add(2, 3) == 5, "the traced function returned the wrong value")

    # verification (not part of the idiom): the trace must be stored. 3.x
    # exports traces asynchronously (MLFLOW_ENABLE_ASYNC_TRACE_LOGGING,
    # environment_variables.py) and offers mlflow.flush_trace_async_logging.
    # Its warnings are the harness's, not the idiom's: kept out of the cell.
    with setup_quietly():
        flush = getattr(mlflow, "flush_trace_async_logging", None)
        if flush is not None:
            flush()
        experiment_id = mlflow.get_experiment_by_name("Default").experiment_id
        traces: list = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            traces = ctx.adapter.traces(experiment_id)
            if traces:
                break
            time.sleep(0.25)
    ctx.check(len(traces) == 1, f"{len(traces)} traces stored after one traced call (expected 1)")
    trace_id = str(traces[0]["id"])
    # the id's shape, not its random digits: "tr-<hex32>" or "<hex32>"
    ctx.observe("trace_id_shape", re.sub(r"[0-9a-f]{8,}", lambda m: f"<hex{len(m.group())}>", str(trace_id)))
