"""mlflow-compat sessions. Logic lives in ``harness/``; this file only wires it.

    nox -s matrix                 every configured version, then the report
    nox -s mlflow-2.9             one version alone (one session per spec)
    nox -s skew                   cross-version: baseline <-> newest candidate
                                  (artifacts, tracking database, client/server,
                                  file store; the file store for every candidate)
    nox -s bisect                 the first release of each change between the
                                  baseline and the newest candidate
    nox -s report                 rebuild the matrix from results/runs/*.json
    nox -s gate                   exit 1 when a candidate breaks the gate policy
    nox -s api                    static API diff: baseline vs each version (results/api/)
    nox -s scan -- PATH...        the lines of your code the API changes affect
    nox -s plan                   which versions and jobs CI runs for a pin change
    nox -s tests                  the harness's own test suite
    nox -s browser                the HTML report checked in headless chromium

Versions come from ``[tool.mlflow-compat] versions`` or, without editing a
file, ``MLFLOW_COMPAT_VERSIONS="2.9 3.1.4"``, or from the mlflow pin in
dependency files: ``MLFLOW_COMPAT_BASELINE_FROM=git:origin/main:requirements.txt
MLFLOW_COMPAT_CANDIDATE_FROM=requirements.txt`` runs exactly those two
releases. Arguments after ``--`` go to ``python -m harness run`` (for example
``--only 'registry.*'``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from harness.config import load_config  # noqa: E402
from harness.errors import HarnessError  # noqa: E402

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["matrix"]
# Environments are reused between runs: installing into one whose inputs did
# not change is a no-op for uv, and pip checks quickly.
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

try:
    CONFIG = load_config()  # MLFLOW_COMPAT_CONFIG may name a user project's pyproject.toml
except HarnessError as exc:
    print(f"mlflow-compat: {exc}", file=sys.stderr)
    raise SystemExit(2) from None


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

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


#: the harness's own runtime dependencies (skew, bisect: they drive other environments),
#: and the light report environment (plus the ``html`` extra), read from pyproject.toml
#: so they never drift apart
RUNTIME_DEPS = list(_project()["dependencies"])
REPORT_DEPS = [*RUNTIME_DEPS, *_project()["optional-dependencies"]["html"]]
PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def version_session_name(spec: str) -> str:
    return f"mlflow-{spec}"


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
        session.warn(
            f"mlflow {spec} could not be installed; recorded in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
        )
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
        session.run(
            "python", "-m", "harness", "run",
            "--spec", spec,
            "--results-dir", str(CONFIG.results_dir),
            "--install-facts", fh.name,
            *session.posargs,
            env={"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
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


@nox.session(venv_backend="none")
def matrix(session: nox.Session) -> None:
    """Every configured version (one session each), the cross-version checks, the API diff, then the report."""
    session.log(f"versions: {' '.join(CONFIG.versions)} (baseline {CONFIG.baseline})")
    for pinned in CONFIG.pinned:
        session.log(f"{pinned.role} {pinned.spec}: {pinned.pin.requirement} from {pinned.pin.source}")
    for spec in CONFIG.versions:
        session.notify(version_session_name(spec), posargs=session.posargs)
    session.notify("skew", posargs=[])
    session.notify("api", posargs=[])
    session.notify("report", posargs=[])


@nox.session(venv_backend="none")
def plan(session: nox.Session) -> None:
    """Which versions and jobs CI runs (pass --baseline-from/--candidate-from, --json); 'no mlflow change' when the pins agree."""
    # nox's own interpreter: planning needs only packaging (nox brings it)
    session.run(
        sys.executable, "-m", "harness", "plan", *session.posargs,
        env={"PYTHONPATH": str(ROOT)}, external=True,
    )


@nox.session(python=PY, reuse_venv=True)
def skew(session: nox.Session) -> None:
    """Cross-version checks, baseline x newest candidate; the file store for every candidate (results/cross/)."""
    # A light environment (the harness's own dependencies, never mlflow): it only
    # drives the per-version environments (reused from the mlflow-<spec>
    # sessions, or created the same way) and prints what they found.
    session.install(*RUNTIME_DEPS)
    session.run("python", "-m", "harness.crossversion", "run", *session.posargs, env={"PYTHONPATH": str(ROOT)})
    # The file-store group starts no server (a few minutes a pair): every other
    # candidate gets it too, so each version's answer to the baseline's ./mlruns
    # is in results/cross/. Only on the default path: arguments choose one pair.
    if not session.posargs:
        for spec in CONFIG.versions[:-1]:
            if spec != CONFIG.baseline:
                session.run("python", "-m", "harness.crossversion", "run", "--candidate", spec, "--only", "filestore",
                            env={"PYTHONPATH": str(ROOT)})


@nox.session(venv_backend="none")
def bisect(session: nox.Session) -> None:
    """First release of each change between the baseline and the newest candidate (results/bisect/)."""
    # Runs in nox's own interpreter, like skew: it drives one environment per
    # release (.nox/bisect-mlflow-<version>, or a matrix session's own).
    session.run(
        sys.executable, "-m", "harness", "bisect", *session.posargs,
        env={"PYTHONPATH": str(ROOT)}, external=True,
        interrupt_timeout=INTERRUPT_TIMEOUT_S, terminate_timeout=TERMINATE_TIMEOUT_S,
    )


def _light_env(session: nox.Session) -> None:
    session.install(*REPORT_DEPS)


@nox.session(python=PY, reuse_venv=True)
def report(session: nox.Session) -> None:
    """Rebuild the matrix, guidance, JUnit XML and HTML report from results/runs."""
    _light_env(session)
    session.run("python", "-m", "harness", "report", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def gate(session: nox.Session) -> None:
    """Exit 1 when a candidate regresses beyond [tool.mlflow-compat.gate] policy."""
    _light_env(session)
    session.run("python", "-m", "harness", "gate", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def api(session: nox.Session) -> None:
    """Static API diff (griffe over each release's source, never imported): results/api/."""
    # a light environment: the harness, griffe and uv (to fetch release sources --no-deps); never mlflow
    session.install("-e", ".[api]", "uv>=0.4")
    session.run("python", "-m", "harness", "api", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def scan(session: nox.Session) -> None:
    """The places in your code that the API changes break (results/api; `-- PATH... [--format sarif] [--fix]`)."""
    session.install("-e", ".[scan]")
    session.run("python", "-m", "harness", "scan", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def tests(session: nox.Session) -> None:
    """The harness's own tests (unit tests plus a few against real MLflow)."""
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session(python=PY, reuse_venv=True)
def bench(session: nox.Session) -> None:
    """How fast is the harness itself: env creation, warm matrix overhead, report time, API diff."""
    _light_env(session)
    session.install("nox[uv]", "virtualenv", "-e", ".[api,scan]")
    session.run("python", "-m", "harness.bench", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def browser(session: nox.Session) -> None:
    """Open an HTML report in headless chromium: screenshot non-blank, matrix and charts in the DOM."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", "tests/test_browser.py", *session.posargs)
