"""Run the selected scenarios in the current environment and write a run file.

Isolation without paying start-up per scenario: this process imports mlflow,
scikit-learn and pandas once, migrates one template sqlite store (in a child,
so no database connection is ever shared across ``fork``), and then forks one
child per scenario. Each child gets its own session (process group), its own
working directory with a copy of the template store, a timeout, and its
output redirected to a log. Whatever the child does (raise, ``os._exit``, get
killed, hang, leave a server running) the parent records one status, kills the
child's process group and any orphan it left (the runner is a child
subreaper), removes the working directory and goes on.

While a scenario runs, the listening TCP sockets of its process tree are
sampled: a server bound to anything but 127.0.0.1 is killed at once and the
scenario recorded as ``error`` (``NonLoopbackListen``). Processes still running
when a scenario ends are killed and noted in a ``harness.LeftRunning`` warning.
Values of secret-looking environment variables (``*TOKEN*``, ``*SECRET*``,
``*PASSWORD*`` ...) are redacted from everything a scenario result records.

The run file is rewritten atomically as ``<label>.partial.json`` after every
scenario and renamed to ``<label>.json`` only when the run completes, so an
interrupted run never replaces or mixes with the previous complete one.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import logging
import os
import platform
import re
import resource
import select
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness import net
from harness.outcomes import Status
from harness.results import files as result_files, runs as results
from harness.procs import become_subreaper, descendants, kill_tree, output_tail
from harness.errors import ResultsError
from harness.results.runs import RunFile, ScenarioResult
from harness.scenario import Context, ScenarioSpec, Skipped, Unsupported

PR_SET_PDEATHSIG = 1
#: how often a running scenario's listening sockets are sampled (reading
#: /proc/net/tcp{,6} costs ~10 ms of CPU here: 1% of a core at 1 s)
WATCH_INTERVAL_S = 1.0
#: environment variables whose values never reach a run file
SECRET_NAME_RE = re.compile(r"TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|AUTH|COOKIE|API_?KEY|ACCESS_?KEY|KEY$", re.I)
_INTERRUPTS = {signal.SIGINT, signal.SIGTERM}
KEY_PACKAGES = (
    "mlflow",
    "mlflow-skinny",
    "mlflow-tracing",
    "scikit-learn",
    "numpy",
    "pandas",
    "scipy",
    "sqlalchemy",
    "alembic",
    "cloudpickle",
    "skops",
    "pyarrow",
    "setuptools",
    "flask",
    "gunicorn",
    "fastapi",
    "starlette",
    "uvicorn",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "protobuf",
)
#: modules every scenario needs, imported once before forking
PREWARM = ("mlflow", "mlflow.sklearn", "mlflow.pyfunc", "mlflow.models", "sklearn.linear_model", "sklearn.datasets", "pandas")
OUTPUT_TAIL_LINES = 15


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def installed_packages() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def platform_tag() -> str:
    return f"{platform.system()}-{platform.machine()}"


# --------------------------------------------------------------------------
# inside the child
# --------------------------------------------------------------------------
class _RecordCollector(logging.Handler):
    """Keeps WARNING-and-above log records (MLflow 3 deprecates through logging)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _normalise(text: str, work_dir: Path) -> str:
    return str(text).replace(str(work_dir), "<work>")


def _safe_str(exc: BaseException) -> str:
    """``str(exc)``, even for an exception whose ``__str__`` itself raises."""
    try:
        return str(exc)
    except BaseException as inner:  # noqa: BLE001 - keep the type, lose only the text
        return f"<str() of {type(exc).__name__} failed: {type(inner).__name__}>"


def _collect_warnings(
    caught: list[warnings.WarningMessage], records: list[logging.LogRecord], work_dir: Path
) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for w in caught:
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
    for r in records:
        try:
            message = r.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call still counts
            message = str(r.msg)
        key = (f"log.{r.levelname}", _normalise(message, work_dir))
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
    collector = _RecordCollector()
    loggers = [logging.getLogger("mlflow"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(collector)
    mlflow_logger = loggers[0]
    if mlflow_logger.level == logging.NOTSET or mlflow_logger.level > logging.WARNING:
        mlflow_logger.setLevel(logging.WARNING)
    status, error, reason = "pass", None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            spec.func(ctx)
        except Unsupported as exc:
            status, reason = "unsupported", str(exc)
        except Skipped as exc:
            status, reason = "skipped", str(exc)
        except AssertionError as exc:
            status = "fail"
            error = {"type": type(exc).__name__, "message": _normalise(_safe_str(exc), ctx.work_dir)}
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            status = "error"
            error = {
                "type": type(exc).__name__,
                "message": _normalise(_safe_str(exc), ctx.work_dir)[:2000],
                "traceback": _normalise("".join(traceback.format_exc(limit=8)), ctx.work_dir)[-4000:],
            }
        duration = time.perf_counter() - start
    for logger in loggers:
        logger.removeHandler(collector)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    metrics = {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}
    metrics.update({k: _jsonable(v) for k, v in ctx.metrics.items()})
    return {
        "status": status,
        "duration_s": round(duration, 6),
        "error": error,
        "reason": reason,
        "warnings": _collect_warnings(list(caught), collector.records, ctx.work_dir),
        "timing": ctx.timing.to_dict() if ctx.timing else None,
        "metrics": metrics,
        "observations": {k: _jsonable(v) for k, v in ctx.observations.items()},
    }


# --------------------------------------------------------------------------
# process management (parent)
# --------------------------------------------------------------------------
def _wait(
    pid: int, timeout: float, watch: Callable[[], str | None] | None = None
) -> tuple[int | None, str | None]:
    """Wait for ``pid``: (wait status, None) when it ends, (None, None) on
    timeout, (None, problem) as soon as ``watch`` (called every
    ``WATCH_INTERVAL_S``) reports a problem."""
    deadline = time.monotonic() + timeout
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, None
            if watch is not None:
                problem = watch()
                if problem:
                    return None, problem
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, None
            step = WATCH_INTERVAL_S if watch is not None else 1.0
            if pidfd is not None:
                select.select([pidfd], [], [], min(remaining, step))
            else:
                time.sleep(min(remaining, 0.02))
    finally:
        if pidfd is not None:
            os.close(pidfd)


@dataclass
class Store:
    """A migrated template sqlite store, copied for every scenario."""

    template_dir: Path

    @property
    def db(self) -> Path:
        return self.template_dir / "mlflow.db"

    def copy_to(self, work_dir: Path) -> str:
        target = work_dir / "mlflow.db"
        shutil.copyfile(self.db, target)
        with sqlite3.connect(target) as conn:
            conn.execute(
                "UPDATE experiments SET artifact_location = replace(artifact_location, ?, ?)",
                (str(self.template_dir), str(work_dir)),
            )
        return f"sqlite:///{target}"


def _in_child(body: Callable[[], None], work_dir: Path) -> None:
    """Fork-side preamble: own session, default signals, output to a log."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTS)
    _die_with_parent()
    log = os.open(work_dir / "output.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.chdir(work_dir)
    tmp = work_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None
    code = 0
    try:
        body()
    except BaseException:  # noqa: BLE001 - the parent reads output.log
        traceback.print_exc()
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    """If the runner itself is killed (SIGKILL), the scenario process dies too."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux
        pass


@contextlib.contextmanager
def interrupts_deferred():
    """Hold SIGINT/SIGTERM until the block ends (delivered then, not lost).

    Used around ``fork`` (a child must never run the runner's handlers) and
    around clean-up (a second Ctrl-C must not leave processes or temp dirs).
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def non_loopback_listeners() -> str | None:
    """Whether any process under the runner listens beyond 127.0.0.1, as a message."""
    exposed = [l for l in net.listening_sockets(descendants(os.getpid(), include_zombies=False)) if not l.loopback_only]
    if not exposed:
        return None
    return (
        "listened on " + ", ".join(str(l) for l in exposed)
        + "; scenario servers must bind 127.0.0.1 only (process tree killed)"
    )


def _network_watch(known: set[int]) -> Callable[[], str | None]:
    """A cheap poll: read /proc/net/tcp{,6}, and walk the process tree only
    when a listener beyond loopback appeared that is not known to be someone
    else's (sockets that existed before the fork cannot be the scenario's)."""
    known = set(known)

    def watch() -> str | None:
        fresh = net.exposed_inodes() - known
        if not fresh:
            return None
        problem = non_loopback_listeners()
        if problem is None:
            known.update(fresh)  # another process on this machine, not ours
        return problem

    return watch


@dataclass
class ChildOutcome:
    """How a forked child ended, and what it left behind."""

    outcome: str  # ok | timeout | crashed | exposed
    detail: str | None = None
    #: processes still running when the child ended: "comm (listening on ...)"
    left_running: list[str] = field(default_factory=list)


def _left_behind() -> tuple[list[str], str | None]:
    """Processes still running under us, and a problem if one listens beyond loopback."""
    left = descendants(os.getpid(), include_zombies=False)
    if not left:
        return [], None
    listeners = net.listening_sockets(left)
    described = []
    for pid, comm in sorted(left.items()):
        hosts = sorted({l.host for l in listeners if l.pid == pid})
        described.append(f"{comm} (listening on {', '.join(hosts)})" if hosts else comm)
    return described, non_loopback_listeners()


def fork_watch(
    body: Callable[[], None], work_dir: Path, timeout: float, watch_network: bool = False
) -> ChildOutcome:
    """Run ``body`` in a forked child, kill whatever it leaves, say how it ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    known_exposed = net.exposed_inodes() if watch_network else set()
    with interrupts_deferred():
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                _in_child(body, work_dir)
            finally:
                os._exit(70)
    try:
        status, problem = _wait(pid, timeout, _network_watch(known_exposed) if watch_network else None)
        left, left_problem = _left_behind() if status is not None else ([], None)
    except BaseException:
        kill_tree(pid)
        raise
    kill_tree(pid)
    if status is None:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        if problem:
            return ChildOutcome("exposed", problem)
        return ChildOutcome("timeout", f"no result within {timeout:g}s; process tree killed")
    if watch_network and left_problem:
        return ChildOutcome("exposed", left_problem, left)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return ChildOutcome("crashed", f"killed by signal {name} ({sig})", left)
    code = os.WEXITSTATUS(status)
    if code != 0:
        return ChildOutcome("crashed", f"process exited with code {code}", left)
    return ChildOutcome("ok", None, left)


def fork_run(body: Callable[[], None], work_dir: Path, timeout: float) -> tuple[str, str | None]:
    """Run ``body`` in a forked child; ('ok'|'timeout'|'crashed', detail)."""
    ended = fork_watch(body, work_dir, timeout)
    return ended.outcome, ended.detail


def prepare_store(base: Path, timeout: float = 600.0) -> Store:
    """Create and migrate the template store in a child process."""
    template = base / "template"
    template.mkdir(parents=True)

    def init() -> None:
        uri = f"sqlite:///{template / 'mlflow.db'}"
        os.environ["MLFLOW_TRACKING_URI"] = uri
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments()
        client.search_registered_models()

    outcome, detail = fork_run(init, template, timeout)
    if outcome != "ok" or not (template / "mlflow.db").exists():
        raise RuntimeError(
            f"could not create the sqlite tracking store ({outcome}: {detail}):\n"
            + output_tail(template / "output.log", OUTPUT_TAIL_LINES)
        )
    return Store(template)


def warm_store_code(store: Store, base: Path) -> None:
    """Open a throwaway copy of the store here, once, before any fork.

    The first store a process opens pays for importing the SQLAlchemy store
    modules and loading the schema-migration scripts (seconds on a small
    machine); later stores open in ~50 ms. Doing it in the parent means every
    forked scenario starts warm. Every database connection is closed again
    before forking (a sqlite connection must never cross ``fork``), and the
    copy is removed; a failure here only costs speed.
    """
    import gc

    warm = base / "warm"
    warm.mkdir()
    try:
        uri = store.copy_to(warm)
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.search_experiments()
        client.search_registered_models()
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass
    finally:
        try:
            from sqlalchemy.engine import Engine

            for obj in gc.get_objects():
                if isinstance(obj, Engine):
                    obj.dispose()
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(warm, ignore_errors=True)


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------
class Progress:
    """One line per finished scenario; a header and a count per version.

    Each line ends with the time elapsed since the header and, while more
    scenarios remain, an estimate of the time left (mean scenario duration so
    far times those remaining; one-off setup is not extrapolated). ``quiet``
    (CI logs) keeps only the header, the lines of scenarios that did not
    pass, and the counts.
    """

    def __init__(
        self, total: int, label: str, quiet: bool = False, stream: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.label, self.quiet = total, label, quiet
        self.stream = stream or sys.stdout
        self.width = len(str(total))
        self.counts: dict[str, int] = {}
        self.clock = clock
        self.t0 = clock()
        self.spent = 0.0

    def _print(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            print(text, file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):
            # output closed (`run | head`): keep running, the run file is what counts
            self.stream = None

    def start(self, version: str) -> None:
        self.t0 = self.clock()
        self._print(f"== {self.label}: mlflow {version}, {self.total} scenarios")

    def done(self, index: int, result: ScenarioResult) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        self.spent += result.duration_s or 0.0
        if self.quiet and result.status == "pass":
            return
        elapsed = self.clock() - self.t0
        clock = f"{_clock(elapsed)} elapsed"
        if index < self.total:
            clock += f", ~{_clock(self.spent / index * (self.total - index))} left"
        detail = ""
        if result.error:
            detail = f"  {result.error['type']}: {result.error['message'].splitlines()[0][:100] if result.error['message'] else ''}"
        elif result.reason and result.status != "pass":
            detail = f"  {result.reason.splitlines()[0][:100]}"
        self._print(
            f"[{index:>{self.width}}/{self.total}] {result.id:<44} {result.status:<11} "
            f"{result.duration_s:6.2f}s  ({clock}){detail}"
        )

    def finish(self, seconds: float) -> None:
        order = {s: i for i, s in enumerate(Status.values())}
        summary = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items(), key=lambda kv: order.get(kv[0], 99)))
        self._print(f"== {self.label}: {summary or 'no scenarios'} in {_clock(seconds)}")


def _clock(seconds: float) -> str:
    """``42s``, ``3m05s`` or ``1h02m``: short enough for a progress line."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _ended_without_result(status: str, wall: float, reason: str | None, work: Path) -> dict[str, Any]:
    tail = output_tail(work / "output.log", OUTPUT_TAIL_LINES)
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


def secret_values(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Environment variables that look like secrets (name) and are long enough to matter."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if SECRET_NAME_RE.search(k) and len(v) >= 6}


def redact_secrets(data: Any, environ: dict[str, str] | None = None) -> Any:
    """``data`` with the value of every secret-looking environment variable replaced.

    A scenario may print or raise with a token in it (an MLflow error message
    quoting a header, say); the run file keeps ``<redacted:NAME>`` instead.
    """
    secrets = sorted(secret_values(environ).items(), key=lambda kv: -len(kv[1]))
    if not secrets:
        return data

    def clean(value: Any) -> Any:
        # strings only: a numeric secret must not turn a duration into garbage
        if isinstance(value, str):
            for name, secret in secrets:
                value = value.replace(secret, f"<redacted:{name}>")
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    return clean(data)


def run_one(
    spec: ScenarioSpec, store: Store, base: Path, adapter: Any, repeat: int, warmup: int, timeout: float
) -> ScenarioResult:
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
        elif data is None or outcome == "timeout":
            status = "timeout" if outcome == "timeout" else "crashed"
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
) -> RunFile:
    """Run ``selected`` here, writing ``runs_dir/<label>.json`` when complete."""
    import importlib

    started_at, t0 = utc_now(), time.perf_counter()
    runs_dir.mkdir(parents=True, exist_ok=True)
    final_path = runs_dir / f"{label}.json"
    partial_path = runs_dir / f"{label}.partial.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module in PREWARM:
            importlib.import_module(module)
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


def save(run_file: RunFile, path: Path) -> None:
    """Write a run file atomically; a results directory that fails mid-run is one clear error."""
    try:
        results.save_run(run_file, path)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot write the run file: {exc.strerror or exc}") from None


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
