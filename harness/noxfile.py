"""mlflow-compat's sessions (``mlflow-compat matrix`` runs them; arguments after -- go to `harness run`).

    matrix                 every configured version, cross-version checks, API diff, report
    mlflow-<spec>          one version alone, e.g. mlflow-2.9 (what a CI job per version runs)
    skew                   cross-version: baseline <-> newest candidate (results/cross/)
    report                 rebuild the matrix from results/runs/*.json
    gate                   exit 1 when a candidate breaks the gate policy
    api                    static API diff: baseline vs each version (results/api/)
    scan -- PATH...        the lines of your code the API changes affect
    bisect                 the first release of each change between baseline and candidate
    plan                   which versions and jobs CI runs for a pin change
    versions               the configured versions and their sessions (--json)
"""

# Shipped inside the package. Two ways in, one set of sessions:
#
# * this repository's checkout: ``nox -s matrix`` (the root noxfile.py imports
#   this module and adds the harness's own sessions: tests, bench, browser);
# * an installed mlflow-compat: ``mlflow-compat matrix`` in the user's
#   repository runs ``python -m nox -f <this file>`` (harness/commands/matrix.py).
#
# nox changes into this file's directory, so the project is found through
# MLFLOW_COMPAT_CONFIG / MLFLOW_COMPAT_ROOT (which the command sets) or, in the
# checkout, the current directory; every command runs in the project root and
# the environments live in its .nox (nox.options.envdir below). The
# per-version environments import the harness through
# harness.home.import_path, never the tool's own site-packages. The report,
# gate, API and scan sessions build light environments from the checkout, and
# run in the tool's own interpreter when mlflow-compat is installed (it has
# their dependencies; there is no source tree to install). Logic lives in
# harness/; this file only wires it.

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable

import nox

from harness import home
from harness.config import load_config
from harness.errors import HarnessError

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["matrix"]
# Environments are reused between runs: installing into one whose inputs did
# not change is a no-op for uv, and pip checks quickly.
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

try:
    CONFIG = load_config()
except HarnessError as exc:
    print(f"mlflow-compat: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

ROOT = CONFIG.root
# the environments live in the project (``--envdir`` on the command line still wins)
nox.options.envdir = str(CONFIG.envs_dir)
CHECKOUT = home.is_checkout()
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
#: how the harness is imported by commands run in nox's own interpreter
TOOL_ENV = {"PYTHONPATH": str(home.HOME)} if CHECKOUT else {}


def _terminate_like_interrupt(signum, frame):
    """SIGTERM to nox (CI cancelling a job) takes the Ctrl-C path: nox asks the
    running harness to stop (which keeps its partial results apart and kills
    its scenario processes) instead of dying and leaving it running."""
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _terminate_like_interrupt)
#: seconds nox gives the harness to finish after Ctrl-C before sending
#: SIGTERM, and after SIGTERM before SIGKILL (nox's defaults are 0.3 and 0.2 s,
#: too short to kill scenario processes and remove temporary stores)
INTERRUPT_TIMEOUT_S, TERMINATE_TIMEOUT_S = 3.0, 20.0


def _project() -> dict:
    from harness.config import tomllib

    return tomllib.loads((home.HOME / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _runtime_deps() -> list[str]:
    """The harness's own runtime dependencies (skew and bisect drive other environments and print
    with them), read from the checkout's pyproject.toml so the two never drift apart."""
    return list(_project()["dependencies"])


def _report_deps() -> list[str]:
    """The light report environment: the runtime dependencies plus the ``html`` extra."""
    return [*_runtime_deps(), *_project()["optional-dependencies"]["html"]]


def version_session_name(spec: str) -> str:
    return f"mlflow-{spec}"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def _install_and_run(session: nox.Session, spec: str) -> None:
    """Install ``spec`` into this session's environment and run the scenarios there."""
    from harness import envs

    python = envs.python_in(Path(session.virtualenv.location))
    use_uv = session.venv_backend == "uv"
    resolution = envs.resolve_and_install(spec, python, CONFIG, log=session.log, use_uv=use_uv)
    if not resolution.ok:
        try:
            path = envs.write_install_failure(resolution, CONFIG)
        except OSError as exc:
            session.error(f"mlflow {spec} could not be installed, and the run file could not be written: {exc}")
        session.warn(f"mlflow {spec} could not be installed; recorded in {_shown(path)}")
        return
    for skipped in resolution.skipped:
        session.warn(f"spec {spec}: skipped mlflow {skipped['version']} (did not install)")
    facts = resolution.facts()
    pinned = CONFIG.pin_for(spec)
    if pinned is not None:
        facts["pin"] = pinned.facts()  # which dependency file chose this column
    if resolution.libraries_warning():
        session.warn(resolution.libraries_warning())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(facts, fh)
    try:
        with session.chdir(ROOT):
            session.run(
                "python", "-m", "harness", "run",
                "--spec", spec,
                "--results-dir", str(CONFIG.results_dir),
                "--install-facts", fh.name,
                *session.posargs,
                env={"PYTHONPATH": home.import_path(CONFIG.envs_dir), "PYTHONWARNINGS": "ignore"},
                interrupt_timeout=INTERRUPT_TIMEOUT_S,
                terminate_timeout=TERMINATE_TIMEOUT_S,
            )
    finally:
        os.unlink(fh.name)


def _define_version_session(spec: str) -> None:
    @nox.session(name=version_session_name(spec), python=PY, reuse_venv=True)
    def version_session(session: nox.Session) -> None:
        _install_and_run(session, spec)

    pinned = CONFIG.pin_for(spec)
    if pinned is not None:
        version_session.__doc__ = f"Run the scenarios on mlflow {spec}, the {pinned.role}: {pinned.pin.requirement} from {pinned.pin.source}."
    else:
        version_session.__doc__ = f"Run the scenarios on mlflow {spec} (resolved to its newest installable release)."


for _spec in CONFIG.versions:
    _define_version_session(_spec)


def _harness(session: nox.Session, *args: str, interruptible: bool = False) -> None:
    """``python -m harness ARGS`` in nox's own interpreter, in the project root."""
    extra = {"interrupt_timeout": INTERRUPT_TIMEOUT_S, "terminate_timeout": TERMINATE_TIMEOUT_S} if interruptible else {}
    with session.chdir(ROOT):
        session.run(sys.executable, "-m", *args, env=TOOL_ENV, external=True, **extra)


@nox.session(venv_backend="none")
def matrix(session: nox.Session) -> None:
    """Every configured version (one session each), the cross-version checks, the API diff, then the report."""
    session.log(f"versions: {' '.join(CONFIG.versions)} (baseline {CONFIG.baseline})")
    for pinned in CONFIG.pinned:
        session.log(f"{pinned.role} {pinned.spec}: {pinned.pin.requirement} from {pinned.pin.source}")
    for spec in CONFIG.versions:
        session.notify(version_session_name(spec), posargs=session.posargs)
    session.notify("skew", posargs=[])
    if CHECKOUT or _importable("griffe"):
        session.notify("api", posargs=[])
    else:
        session.log("API diff skipped: griffe is not installed (pip install 'mlflow-compat[all]')")
    session.notify("report", posargs=[])


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


@nox.session(venv_backend="none")
def plan(session: nox.Session) -> None:
    """Which versions and jobs CI runs (pass --baseline-from/--candidate-from, --json); 'no mlflow change' when the pins agree."""
    # nox's own interpreter: planning needs only packaging (nox brings it)
    _harness(session, "harness", "plan", *session.posargs)


@nox.session(venv_backend="none")
def versions(session: nox.Session) -> None:
    """The configured versions, baseline and session names (--json for a CI job matrix)."""
    _harness(session, "harness", "versions", *session.posargs)


def _tool_session(func):
    """A session that runs a harness command: in a light environment built from the checkout,
    or in the installed tool's own interpreter (:func:`_run_tool`)."""
    if CHECKOUT:
        return nox.session(python=PY, reuse_venv=True)(func)
    return nox.session(venv_backend="none")(func)


def _run_tool(session: nox.Session, install: Callable[[], list[str]], *args: str,
              interruptible: bool = False) -> None:
    """``python -m ARGS`` in the project root: installed, with the tool's interpreter; from the checkout,
    in this session's light environment with what ``install()`` lists (never mlflow). A callable
    because the list is read from the checkout's pyproject.toml, which an installed tool does not have."""
    if not CHECKOUT:
        _harness(session, *args, interruptible=interruptible)
        return
    extra = {"interrupt_timeout": INTERRUPT_TIMEOUT_S, "terminate_timeout": TERMINATE_TIMEOUT_S} if interruptible else {}
    session.install(*install())
    with session.chdir(ROOT):
        session.run("python", "-m", *args, env={"PYTHONPATH": str(home.HOME)}, **extra)


@_tool_session
def skew(session: nox.Session) -> None:
    """Cross-version checks, baseline x newest candidate; the file store for every candidate (results/cross/)."""
    # It only drives the per-version environments (reused from the mlflow-<spec>
    # sessions, or created the same way) and prints what they found: the
    # harness's own dependencies, never mlflow.
    _run_tool(session, _runtime_deps, "harness.crossversion", "run", *session.posargs)
    # The file-store group starts no server (a few minutes a pair): every other
    # candidate gets it too, so each version's answer to the baseline's ./mlruns
    # is in results/cross/. Only on the default path: arguments choose one pair.
    if not session.posargs:
        for spec in CONFIG.versions[:-1]:
            if spec != CONFIG.baseline:
                _run_tool(session, lambda: [], "harness.crossversion", "run", "--candidate", spec, "--only", "filestore")


@_tool_session
def bisect(session: nox.Session) -> None:
    """First release of each change between the baseline and the newest candidate (results/bisect/)."""
    # Like skew: drives one environment per release (.nox/bisect-mlflow-<version>,
    # or a matrix session's own), with the harness's own dependencies.
    _run_tool(session, _runtime_deps, "harness", "bisect", *session.posargs, interruptible=True)


@_tool_session
def report(session: nox.Session) -> None:
    """Rebuild the matrix, guidance, JUnit XML and HTML report from results/runs."""
    _run_tool(session, _report_deps, "harness", "report", *session.posargs)


@_tool_session
def gate(session: nox.Session) -> None:
    """Exit 1 when a candidate regresses beyond [tool.mlflow-compat.gate] policy."""
    _run_tool(session, _report_deps, "harness", "gate", *session.posargs)


@_tool_session
def api(session: nox.Session) -> None:
    """Static API diff (griffe over each release's source, never imported): results/api/."""
    # a light environment: the harness, griffe and uv (to fetch release sources --no-deps); never mlflow
    _run_tool(session, lambda: ["-e", f"{home.HOME}[api]", "uv>=0.4"], "harness", "api", *session.posargs)


@_tool_session
def scan(session: nox.Session) -> None:
    """The places in your code that the API changes break (results/api; `-- PATH... [--format sarif] [--fix]`)."""
    _run_tool(session, lambda: ["-e", f"{home.HOME}[scan]"], "harness", "scan", *session.posargs)
