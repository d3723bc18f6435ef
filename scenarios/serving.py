"""Serving: the version's real scoring server (``mlflow models serve``)."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import servers
from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, latency_metrics, same_predictions

#: requests in the burst (bounded: the machine is shared)
BURST = 200
#: concurrent clients during the burst
CLIENTS = 4
STARTUP_TIMEOUT_S = 150


def _post(url: str, body: bytes) -> tuple[float, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1
        data = response.read()
    return time.perf_counter() - start, data


@scenario(id="serving.scoring_server.invocations", area="serving", kind="perf", timeout=360)
def scoring_server_invocations(ctx: Context) -> None:
    """Serve a logged model, compare its predictions, then time a bounded burst.

    Metrics: start-up seconds (process start to /ping answering), p50/p95
    latency of one-row requests and requests/second with a few concurrent
    clients; the burst's latencies are the samples.
    """
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    # the server finds uvicorn/gunicorn on PATH, as in an activated environment
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    with servers.running(
        lambda port: ctx.adapter.serve_command(logged.model_uri, port),
        health_path="/ping",
        timeout=STARTUP_TIMEOUT_S,
        env=env,
        cwd=ctx.work_dir,
        log_path=ctx.work_dir / "server.log",
    ) as server:
        ctx.metric("startup_s", round(server.startup_s, 3))
        invocations = server.url + "/invocations"
        _, body = _post(invocations, ctx.adapter.scoring_payload(X))
        expected = ctx.adapter.load_pyfunc(logged.model_uri).predict(X)
        same_predictions(ctx, ctx.adapter.parse_predictions(body), expected, "served vs in-process")
        rows = [ctx.adapter.scoring_payload(X.iloc[[i % len(X)]]) for i in range(BURST)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            latencies = [seconds for seconds, _ in pool.map(lambda b: _post(invocations, b), rows)]
        elapsed = time.perf_counter() - started
    ctx.record_samples(latencies)
    ctx.metrics.update(latency_metrics(latencies, "latency"))
    ctx.metric("requests_per_s", round(BURST / elapsed, 2))
    ctx.metric("burst_requests", BURST)
    ctx.metric("burst_clients", CLIENTS)
