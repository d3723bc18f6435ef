"""The run itself: every selected scenario in its own forked child, then the run file.

This process imports mlflow, scikit-learn and pandas once, migrates one
template store (``harness.runner.store``) and then forks one child per
scenario (``harness.runner.sandbox``) with its own working directory, a copy
of the template store, a timeout and its output redirected to a log; the child
runs the body through ``harness.runner.capture``. Whatever the child does, the
parent records one status and goes on. A server bound beyond 127.0.0.1 makes
the scenario ``error`` (``NonLoopbackListen``); processes still running when a
scenario ends are killed and noted in a ``harness.LeftRunning`` warning; secret
values are redacted (``harness.runner.redaction``) from every result.

The run file is rewritten atomically as ``<label>.partial.json`` after every
scenario and renamed to ``<label>.json`` only when the run completes, so an
interrupted run never replaces or mixes with the previous complete one.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness.errors import ResultsError
from harness.outcomes import Status
from harness.procs import become_subreaper, kill_tree
from harness.results import files as result_files, runs as results
from harness.results.runs import RunFile, ScenarioResult
from harness.runner import origins
from harness.runner.capture import execute
from harness.runner.facts import installed_packages, platform_tag, utc_now
from harness.runner.progress import Progress
from harness.runner.redaction import redact_secrets
from harness.runner.sandbox import fork_watch, interrupts_deferred, output_of
from harness.runner.store import Store, prepare_store, warm_store_code
from harness.scenario import Context, ScenarioSpec

#: modules every scenario needs, imported once before forking
PREWARM = ("mlflow", "mlflow.sklearn", "mlflow.pyfunc", "mlflow.models", "sklearn.linear_model", "sklearn.datasets", "pandas")


def _ended_without_result(status: str, wall: float, reason: str | None, work: Path) -> dict[str, Any]:
    tail = output_of(work)
    return {
        "status": status,
        "duration_s": round(wall, 6),
        "error": None,
        "reason": (reason or "") + (f"\n{tail}" if tail and reason else ""),
        "warnings": [],
        "timing": None,
        "metrics": {},
        "observations": {},
    }


def _left_running_warning(left: list[str]) -> dict[str, Any]:
    return {
        "category": "harness.LeftRunning",
        "message": f"{len(left)} process(es) still running when the scenario ended, killed: " + ", ".join(left),
        "source": "harness",
        "where": "runner",
        "count": 1,
    }


def run_one(
    spec: ScenarioSpec, store: Store, base: Path, adapter: Any, repeat: int, warmup: int, timeout: float
) -> ScenarioResult:
    """Run one scenario in a forked child with a copy of ``store``; its result."""
    work = Path(tempfile.mkdtemp(prefix=f"{spec.id}.", dir=base))
    result_file = work / "result.json"
    started = time.perf_counter()
    try:
        uri = store.copy_to(work)

        def body() -> None:
            os.environ["MLFLOW_TRACKING_URI"] = uri
            os.environ["MLFLOW_REGISTRY_URI"] = uri
            ctx = Context(work_dir=work, tracking_uri=uri, adapter=adapter, repeat=repeat, warmup=warmup)
            outcome = execute(spec, ctx)
            result_files.atomic_write_text(result_file, json.dumps(outcome, default=repr))

        ended = fork_watch(body, work, spec.timeout or timeout, watch_network=True)
        outcome, detail = ended.outcome, ended.detail
        wall = time.perf_counter() - started
        data: dict[str, Any] | None = None
        if result_file.exists():
            try:
                data = json.loads(result_file.read_text())
            except ValueError:
                data = None
        if outcome == "exposed":
            before = f"; the scenario had ended as {data['status']}" if data else ""
            data = _ended_without_result("error", wall, None, work)
            data["error"] = {"type": "NonLoopbackListen", "message": detail}
            data["reason"] = f"{detail}{before}"
        elif data is None or outcome == Status.TIMEOUT:
            status = Status.TIMEOUT if outcome == Status.TIMEOUT else Status.CRASHED
            data = _ended_without_result(status, wall, detail or "process ended without reporting a result", work)
        if ended.left_running:
            data.setdefault("warnings", []).append(_left_running_warning(ended.left_running))
        data.setdefault("metrics", {})["wall_s"] = round(wall, 6)
        data = redact_secrets(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ScenarioResult(
        id=spec.id,
        area=spec.area,
        kind=spec.kind,
        replaced_by=spec.replaced_by,
        code=spec.code,
        description=spec.description,
        **data,
    )


def run(
    selected: list[ScenarioSpec],
    label: str,
    runs_dir: Path,
    *,
    spec: str | None = None,
    repeat: int = 5,
    warmup: int = 1,
    timeout: float = 300.0,
    quiet: bool = False,
    selection: dict[str, list[str]] | None = None,
    skipped_releases: list[dict[str, str]] | None = None,
    load_errors: list[dict[str, str]] | None = None,
    install: dict[str, Any] | None = None,
    suite: Any = None,
) -> RunFile:
    """Run ``selected`` here, writing ``runs_dir/<label>.json`` when complete.

    ``suite`` (a ``harness.usertests.suite.Suite``) is the project's pytest suite:
    run once first, its rows (those ``selection`` chooses) kept before the scenarios'.
    """
    import importlib

    started_at, t0 = utc_now(), time.perf_counter()
    runs_dir.mkdir(parents=True, exist_ok=True)
    final_path = runs_dir / f"{label}.json"
    partial_path = runs_dir / f"{label}.partial.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in PREWARM:
            importlib.import_module(module)
    try:
        origins.warm()  # every forked scenario inherits the installed metadata, read once
    except Exception:  # noqa: BLE001 - an optimisation: each scenario reads what it needs
        pass
    from harness.adapters import pick_adapter
    import mlflow

    adapter = pick_adapter(mlflow.__version__)
    run_file = RunFile(
        label=label,
        mlflow_version=mlflow.__version__,
        python_version=platform.python_version(),
        platform=platform_tag(),
        packages=installed_packages(),
        tracking_backend="sqlite",
        started_at=started_at,
        duration_s=0.0,
        spec=spec,
        run_status="interrupted",
        selection=selection or {},
        skipped_releases=skipped_releases or [],
        load_errors=load_errors or [],
        install=install or {},
    )
    progress = Progress(len(selected), label, quiet)
    progress.start(mlflow.__version__)
    become_subreaper()
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    # A shell starts background jobs with SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler: nox's Ctrl-C forwarding (and CI
    # cancelling a job) would be lost. Interrupting a run must always work.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    base = Path(tempfile.mkdtemp(prefix="mlflow-compat-"))
    try:
        if suite is not None:
            _run_suite(suite, base, run_file, progress, selection or {})
            save(run_file, partial_path)
        store = prepare_store(base)
        warm_store_code(store, base)
        for index, scenario_spec in enumerate(selected, 1):
            result = run_one(scenario_spec, store, base, adapter, repeat, warmup, timeout)
            run_file.scenarios.append(result)
            run_file.duration_s = round(time.perf_counter() - t0, 3)
            save(run_file, partial_path)
            progress.done(index, result)
        run_file.run_status = "complete"
        run_file.duration_s = round(time.perf_counter() - t0, 3)
        save(run_file, final_path)
        with contextlib.suppress(OSError):
            partial_path.unlink(missing_ok=True)
    except KeyboardInterrupt:
        print(
            f"interrupted: {len(run_file.scenarios)}/{len(selected)} scenarios kept in {partial_path}; "
            f"{final_path.name} left as it was",
            file=sys.stderr,
        )
        raise
    finally:
        with interrupts_deferred():
            kill_tree(None)
            shutil.rmtree(base, ignore_errors=True)
            signal.signal(signal.SIGTERM, previous_term)
            signal.signal(signal.SIGINT, previous_int)
    progress.finish(run_file.duration_s)
    return run_file


def _run_suite(suite: Any, base: Path, run_file: RunFile, progress: Progress, selection: dict) -> None:
    """The project's pytest suite (harness/usertests): its rows and facts into ``run_file``."""
    from harness.scenario import chosen
    from harness.usertests.suite import run_suite

    found, facts = run_suite(suite, base)
    kept = [redact_secrets_row(r) for r in found
            if chosen(r.id, r.area, selection.get("only", ()), selection.get("skip", ()))]
    run_file.scenarios.extend(kept)
    run_file.user_tests = redact_secrets(facts)
    progress.suite(kept, facts)


def redact_secrets_row(result: ScenarioResult) -> ScenarioResult:
    """A row with secret values replaced (a test may print a token into its failure)."""
    return ScenarioResult.from_dict(redact_secrets(asdict(result)))


def save(run_file: RunFile, path: Path) -> None:
    """Write a run file atomically; a results directory that fails mid-run is one clear error."""
    try:
        results.save_run(run_file, path)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot write the run file: {exc.strerror or exc}") from None


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
