"""Performance: import time, log_model (with and without requirement inference),
load_model, one-row predict latency and peak memory.

Timed bodies go through ``ctx.measure`` (config ``repeat``/``warmup``); the
slow ones (a fresh interpreter, requirement inference) take fewer samples so a
version's run stays within minutes on a small machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, latency_metrics


def _fresh_env() -> dict[str, str]:
    """The scenario's environment (its own tracking store), for a child interpreter."""
    return dict(os.environ, PYTHONWARNINGS="ignore")


@scenario(id="perf.import.mlflow", area="perf", kind="perf")
def import_mlflow(ctx: Context) -> None:
    """``import mlflow`` in a fresh interpreter (process start included)."""

    def body() -> None:
        subprocess.run([sys.executable, "-c", "import mlflow"], check=True, env=_fresh_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # the parent process already imported mlflow: files are in the page cache
    ctx.measure(body, repeat=min(ctx.repeat, 3), warmup=0)
    # for scale: the same interpreter starting without importing anything
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=_fresh_env())
    ctx.metric("bare_interpreter_s", round(time.perf_counter() - start, 3))


@scenario(id="perf.log_model.pip_requirements", area="perf", kind="perf")
def log_model_pip_requirements(ctx: Context) -> None:
    """log_model with pip_requirements given: MLflow's own cost, no inference."""
    import mlflow

    model, _, _ = ctx.trained_model()
    with mlflow.start_run():
        ctx.measure(lambda: ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS))


@scenario(id="perf.log_model.inferred_requirements", area="perf", kind="perf")
def log_model_inferred(ctx: Context) -> None:
    """log_model as users call it: requirements inferred (a subprocess per call)."""
    import mlflow

    model, _, _ = ctx.trained_model()
    with mlflow.start_run():
        ctx.measure(lambda: ctx.adapter.log_sklearn_model(model, "model"), repeat=min(ctx.repeat, 3), warmup=0)


@scenario(id="perf.load_model.pyfunc", area="perf", kind="perf")
def load_model_pyfunc(ctx: Context) -> None:
    """Loading a logged sklearn model as pyfunc."""
    model, _, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    ctx.measure(lambda: ctx.adapter.load_pyfunc(logged.model_uri))


@scenario(id="perf.predict.one_row", area="perf", kind="perf")
def predict_one_row(ctx: Context) -> None:
    """One-row pyfunc predict latency (p50/p95 over many calls)."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    pyfunc = ctx.adapter.load_pyfunc(logged.model_uri)
    row = X.head(1)
    samples = ctx.measure(lambda: pyfunc.predict(row), repeat=200, warmup=20)
    ctx.metrics.update(latency_metrics(samples, "predict"))


_RSS_SCRIPT = textwrap.dedent(
    """
    import json, resource, warnings
    warnings.simplefilter("ignore")
    import mlflow, mlflow.pyfunc, mlflow.sklearn
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from harness.adapters import pick_adapter
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    adapter = pick_adapter(mlflow.__version__)
    logged = adapter.log_sklearn_model(model, "model", pip_requirements={reqs!r})
    adapter.load_pyfunc(logged.model_uri).predict(X)
    print(json.dumps({{"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
    """
)


@scenario(id="perf.memory.peak_rss", area="perf", kind="perf")
def peak_rss(ctx: Context) -> None:
    """Peak RSS of a fresh process that imports mlflow, logs, loads and predicts.

    Timing samples are that process's wall time; the memory is in metrics
    (``peak_rss_mb``: median of the samples, ``peak_rss_mb_samples``).
    """
    script = _RSS_SCRIPT.format(reqs=PIP_REQUIREMENTS)
    rss: list[float] = []

    def body() -> None:
        proc = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True,
                              env=dict(_fresh_env(), PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))
        rss.append(json.loads(proc.stdout.strip().splitlines()[-1])["maxrss_kb"] / 1024)

    ctx.measure(body, repeat=min(ctx.repeat, 3), warmup=0)
    ordered = sorted(rss)
    ctx.metric("peak_rss_mb", round(ordered[len(ordered) // 2], 1))
    ctx.metric("peak_rss_mb_samples", [round(v, 1) for v in rss])
