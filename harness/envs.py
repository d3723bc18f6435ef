"""Install an MLflow release (plus companion pins) into a per-version environment.

Called from the noxfile with the session's interpreter. Uses uv when it is
available (nox's uv backend), else ``python -m pip``. Output is captured so
that a failed install ends up in the run file as the installer's last lines,
and a family spec walks its releases newest first until one installs.

``resolve_and_install`` is the one entry point every environment goes through
(the per-version sessions, the cross-version pairing, bisection, the tests'
real environments): it applies the libraries policy (``harness.libraries``).
Under ``release``, a release whose era libraries do not install is installed
with the latest ones instead, and the run file says so. With the project's
own ``environment`` (``harness.userenv``) each column is that environment with
only MLflow overridden; a conflict is the column's install failure, with the
resolver's explanation.

Local paths in ``extra_requirements`` (``"."``: the project) are installed
editable: the code the matrix runs is the working tree's (uv would keep a
non-editable build of a directory until its metadata changes), and its frames
are the user's code, not a library's, when warnings and errors are traced to
their origin (only the user's own code makes a deprecation actionable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import libraries, versions
from harness.config import Config
from harness.errors import VersionError
from harness.libraries import LibrariesPlan
from harness.userenv import UserEnvironment

TAIL_LINES = 12


@dataclass
class InstallResult:
    ok: bool
    seconds: float
    tail: str = ""


@dataclass
class Resolution:
    """What installing a spec came to."""

    spec: str
    version: str | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None

    #: the requirements the installed release went in with
    requirements: list[str] = field(default_factory=list)
    #: how its other libraries were chosen (``LibrariesPlan.facts()``)
    libraries: dict = field(default_factory=dict)
    #: the project's environment it was installed from (``UserEnvironment.facts()``), if any
    environment: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.version is not None

    def facts(self) -> dict:
        """What the run file records about this install (``RunFile.install`` + ``skipped_releases``)."""
        facts = {"skipped_releases": self.skipped, "requirements": self.requirements, "libraries": self.libraries}
        if self.environment:
            facts["environment"] = self.environment
        return facts

    def libraries_warning(self) -> str | None:
        """One line for the session when the libraries policy was not applied as configured."""
        libs = self.libraries
        if libs.get("note"):
            return (f"mlflow {self.version}: libraries policy {libs['policy']!r} not applied, "
                    f"latest libraries used: {libs['note']}")
        if libs.get("caveat"):
            return f"mlflow {self.version}: libraries as of {libs['cutoff']}, but {libs['caveat']}"
        return None


def find_uv() -> str | None:
    try:
        from nox.virtualenv import find_uv as nox_find_uv

        has_uv, path = nox_find_uv()
        if has_uv:
            return path
    except Exception:  # noqa: BLE001 - nox absent or changed: fall back to PATH
        pass
    return shutil.which("uv")


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    kept = [
        line for line in text.strip().splitlines()
        if line.strip() and not line.startswith("Using Python ")
    ]
    return "\n".join(kept[-lines:])


def installer_for(use_uv: bool | None = None) -> tuple[str, str | None]:
    """("uv", its path) when uv is to be used, else ("pip", None)."""
    uv = find_uv() if use_uv in (None, True) else None
    return (libraries.UV, uv) if uv else (libraries.PIP, None)


def install(
    python: str,
    requirements: list[str],
    use_uv: bool | None = None,
    timeout: float = 1800,
    *,
    options: list[str] | None = None,
) -> InstallResult:
    """Install ``requirements`` into the environment of ``python`` (``options`` go to the installer)."""
    kind, uv = installer_for(use_uv)
    if kind == libraries.UV:
        cmd = [uv, "pip", "install", "--python", python, *(options or []), *requirements]
    else:
        cmd = [python, "-m", "pip", "install", "--disable-pip-version-check", *(options or []), *requirements]
    start = time.perf_counter()
    try:
        # uv wraps its messages at $COLUMNS (which pytest and CI set narrow): a
        # wide one keeps each cause on one line, so the last lines say why
        env = {**os.environ, "COLUMNS": "1000"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return InstallResult(False, time.perf_counter() - start, f"installer timed out after {timeout:g}s")
    except OSError as exc:
        return InstallResult(False, time.perf_counter() - start, f"installer could not start: {exc}")
    seconds = time.perf_counter() - start
    output = (proc.stdout or "") + "\n" + (proc.stderr or "")
    return InstallResult(proc.returncode == 0, seconds, _tail(output))


def install_with_plan(
    python: str, requirements: list[str], plan: LibrariesPlan, use_uv: bool | None = None,
    user_env: UserEnvironment | None = None, version: str | None = None,
) -> InstallResult:
    """Install under ``plan``: its cutoff, and a reinstall when the environment holds
    libraries chosen another way (installers keep what already satisfies). With
    ``user_env``, its files with mlflow ``version`` as the override, and every package
    they pin exempt from the cutoff."""
    kind, _ = installer_for(use_uv)
    options = plan.installer_args(kind)
    if user_env is not None:
        if options:
            options += user_env.exemptions()
        options += user_env.installer_args(version or "", Path(python).parent.parent)
    if libraries.needs_reinstall(python, plan, has_packages=lambda: installed_version(python) is not None):
        options.append("--reinstall" if kind == libraries.UV else "--force-reinstall")
    result = install(python, requirements, use_uv, options=options)
    if result.ok:
        libraries.record_state(python, plan)
    return result


def installed_version(python: str) -> str | None:
    proc = subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('mlflow'))"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() or None if proc.returncode == 0 else None


#: installed next to every version: users' environments have pip, and MLflow
#: records its version when it infers a model's requirements
BASE_REQUIREMENTS = ("pip",)


def requirements_for(version: str, config: Config, user_env: UserEnvironment | None = None) -> list[str]:
    """mlflow, its companion pins, pip, the pytest requirement (with a suite), the extra requirements
    (local paths editable); with ``user_env``, the additions it pins itself are left out."""
    return [f"mlflow=={version}", *(r for r in _additions(version, config) if not (user_env and user_env.pins(r))),
            *(editable(r) for r in config.extra_requirements)]


def _additions(version: str, config: Config) -> list[str]:
    """What the harness adds next to mlflow: companion pins, pip, pytest when there is a suite."""
    return [*config.companion_pins(version), *BASE_REQUIREMENTS, *config.pytest_requirements]


def not_added(version: str, config: Config, user_env: UserEnvironment) -> list[str]:
    """The harness's additions a project's environment replaces with its own pins."""
    return [r for r in _additions(version, config) if user_env.pins(r)]


def editable(requirement: str) -> str:
    """A local directory (``extra_requirements = ["."]``, made absolute by the config) as an
    editable install; anything else as it is."""
    return f"--editable={requirement}" if Path(requirement).is_absolute() and Path(requirement).is_dir() else requirement


def resolve_and_install(
    spec: str, python: str, config: Config, log=print, use_uv: bool | None = None
) -> Resolution:
    """Install the newest release of ``spec`` that installs; record what was skipped.

    Each release goes in with the libraries policy applied; under ``release``,
    one whose era libraries do not install is retried with the latest ones
    (``Resolution.libraries["note"]`` says why) before the next release is tried.
    """
    resolution = Resolution(spec)
    try:
        # a version chosen by a range pin walks that range's releases, as a family does
        candidates = config.release_candidates(spec) or versions.resolve(spec, config.results_dir / ".cache")
    except VersionError as exc:
        resolution.error = str(exc)
        return resolution
    kind, _ = installer_for(use_uv)
    user_env = UserEnvironment.of(config)
    if user_env is not None and kind != libraries.UV:
        resolution.error = (f"the project's environment ({', '.join(user_env.shown)}) is installed with uv's "
                            "--overrides, and uv was not found: pip install uv")
        return resolution
    for version in candidates[: config.install_attempts]:
        reqs = requirements_for(version, config, user_env)
        plan = libraries.plan_for(version, config, kind, python)
        if plan.note:
            log(f"libraries policy {plan.policy!r} not applied to mlflow {version}: {plan.note}; using the latest libraries")
        if plan.caveat:
            log(f"libraries as of {plan.cutoff} for mlflow {version}, but {plan.caveat}")
        result = _install_logged(python, reqs, plan, use_uv, log, user_env, version)
        if not result.ok and plan.applied == libraries.RELEASE:
            first = next(iter(result.tail.splitlines()[-1:]), "")
            log(f"mlflow {version} with the libraries as of {plan.cutoff} did not install:\n{result.tail}\n"
                "retrying with the latest libraries")
            plan = plan.as_latest(f"the libraries as of {plan.cutoff} did not install: {first}")
            result = _install_logged(python, reqs, plan, use_uv, log, user_env, version)
        if result.ok:
            resolution.version = version
            resolution.requirements = reqs
            resolution.libraries = plan.facts()
            if user_env is not None:
                resolution.environment = user_env.facts(version, not_added(version, config, user_env))
            log(f"installed mlflow {version} in {result.seconds:.1f}s")
            return resolution
        log(f"mlflow {version} did not install:\n{result.tail}")
        resolution.skipped.append({"version": version, "reason": result.tail})
    tried = ", ".join(s["version"] for s in resolution.skipped)
    last = resolution.skipped[-1]["reason"] if resolution.skipped else ""
    resolution.error = f"no release of {spec!r} installed (tried {tried}):\n{last}"
    if user_env is not None:
        resolution.error = (f"the project's environment ({', '.join(user_env.shown)}) with only mlflow changed "
                            f"does not install: {resolution.error}")
    resolution.skipped = resolution.skipped[:-1] if len(resolution.skipped) == 1 else resolution.skipped
    return resolution


def _install_logged(python: str, reqs: list[str], plan: LibrariesPlan, use_uv: bool | None, log,
                    user_env: UserEnvironment | None = None, version: str | None = None) -> InstallResult:
    libs = f" (libraries as of {plan.cutoff})" if plan.applied == libraries.RELEASE else " (latest libraries)"
    if user_env is not None:
        libs += f", with {' '.join('-r ' + f for f in user_env.shown)} (mlflow overridden to {version})"
    log(f"installing {' '.join(reqs)}{libs}")
    return install_with_plan(python, reqs, plan, use_uv, user_env, version)


def write_install_failure(resolution: Resolution, config: Config) -> Path:
    """A run file for a spec that could not be installed: a column that says why."""
    import platform

    from harness.results.runs import INSTALL_FAILED, RunFile, save_run
    from harness.runner.facts import platform_tag, utc_now

    label = versions.label_for(resolution.spec)
    run = RunFile(
        label=label,
        mlflow_version=resolution.spec,
        python_version=platform.python_version(),
        platform=platform_tag(),
        packages={},
        tracking_backend="none",
        started_at=utc_now(),
        duration_s=0.0,
        spec=resolution.spec,
        run_status=INSTALL_FAILED,
        install_error=resolution.error,
        skipped_releases=resolution.skipped,
    )
    path = config.runs_dir / f"{label}.json"
    save_run(run, path)
    return path


def python_in(venv: Path) -> str:
    bindir = "Scripts" if sys.platform == "win32" else "bin"
    return str(Path(venv) / bindir / "python")


def create_venv(venv: Path) -> None:
    """An empty environment for this interpreter's Python at ``venv`` (uv when available, else venv)."""
    uv = find_uv()
    cmd = [uv, "venv", "-q", "-p", sys.executable, str(venv)] if uv else [sys.executable, "-m", "venv", str(venv)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
