"""Which two versions are paired, and the environment each one runs in.

The pair is the default baseline and the newest candidate (the last configured
version). Environments are the per-version sessions' own (``<project>/.nox/mlflow-<spec>``,
``Config.envs_dir``, named the way nox names them); a missing one is created and installed with
``harness.envs``, exactly as the per-version session would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness import envs, versions
from harness.config import Config
from harness.errors import HarnessError

@dataclass(frozen=True)
class SideEnv:
    role: str
    spec: str
    python: str
    version: str


def pick_pair(config: Config, baseline: str | None = None, candidate: str | None = None) -> tuple[str, str] | None:
    """(baseline, candidate) specs, or None when there is nothing to pair."""
    base = baseline or config.baseline
    cand = candidate or config.versions[-1]
    return None if base == cand else (base, cand)


def session_env_dir(spec: str, nox_dir: Path) -> Path:
    """Where nox keeps the ``mlflow-<spec>`` session's environment (nox's own name mangling)."""
    name = re.sub(r"[^\w\s-]", "-", f"mlflow-{spec}").strip().lower()
    return nox_dir / re.sub(r"[-\s]+", "-", name).strip("-")


def _create_venv(venv: Path) -> None:
    uv = envs.find_uv()
    cmd = [uv, "venv", "-q", "-p", sys.executable, str(venv)] if uv else [sys.executable, "-m", "venv", str(venv)]
    subprocess.run(cmd, check=True, capture_output=True)


def prepare_sides(
    config: Config,
    pair: tuple[str, str],
    baseline_python: str | None = None,
    candidate_python: str | None = None,
    log=print,
) -> dict[str, SideEnv] | None:
    """The two environments, ready; None (with a printed reason) when one cannot be installed."""
    sides = {}
    for role, spec, python in (("baseline", pair[0], baseline_python), ("candidate", pair[1], candidate_python)):
        if python:
            given = Path(python).expanduser()
            if not given.is_file():
                raise HarnessError(f"--{role}-python {python}: no such interpreter")
            # absolute, not resolved: the steps run in other directories, and a venv's python is a symlink
            python = str(given.absolute())
            version = envs.installed_version(python)
            if version is None:
                raise HarnessError(f"--{role}-python {python}: no mlflow installed there")
            if not versions.matches(spec, version):
                raise HarnessError(f"--{role}-python {python}: has mlflow {version}, which is not {role} spec {spec!r}")
        else:
            venv = session_env_dir(spec, config.envs_dir)
            python = envs.python_in(venv)
            if not Path(python).exists():
                log(f"cross-version: creating {venv}")
                _create_venv(venv)
            # the per-version session already reported the installer's details
            resolution = envs.resolve_and_install(spec, python, config, log=lambda *_: None)
            if not resolution.ok:
                first = (resolution.error or "").splitlines()[0] if resolution.error else "unknown error"
                log(f"mlflow-compat: cross-version skipped: mlflow {spec} could not be installed ({first})")
                return None
            version = resolution.version
        log(f"cross-version: {role} {spec} -> mlflow {version} ({python})")
        sides[role] = SideEnv(role, spec, python, version)
    return sides
