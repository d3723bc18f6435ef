"""Real MLflow environments for the slow tests, built with the harness's own installer.

They live in ``.nox/test-mlflow-<spec>`` and are reused between test runs
(uv makes a no-op install cheap), like the matrix's own environments.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import envs
from harness.config import load_config

ROOT = Path(__file__).resolve().parent.parent
ENVS = ROOT / ".nox"


def real_env(spec: str) -> tuple[str, str]:
    """(python, installed mlflow version) of an environment with ``spec`` installed."""
    venv = ENVS / f"test-mlflow-{spec}"
    python = envs.python_in(venv)
    if not Path(python).exists():
        uv = envs.find_uv()
        cmd = [uv, "venv", "-q", "-p", sys.executable, str(venv)] if uv else [sys.executable, "-m", "virtualenv", "-q", str(venv)]
        subprocess.run(cmd, check=True)
    config = load_config(env={})
    resolution = envs.resolve_and_install(spec, python, config, log=lambda *_: None)
    if not resolution.ok:
        raise RuntimeError(f"could not install mlflow {spec}: {resolution.error}")
    return python, resolution.version


def run_harness(
    python: str, *args: str, timeout: float = 1200, env_extra: dict[str, str] | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """``python -m harness ARGS`` in a real environment, from the project root."""
    return subprocess.run(
        [python, "-m", "harness", *args],
        cwd=ROOT,
        env={**_clean_env(), "PYTHONPATH": str(ROOT), **(env_extra or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "PYTEST_"))}
