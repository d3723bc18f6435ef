"""Configuration errors: one clear line naming the key, exit 2, through
``python -m harness`` and through nox loading the noxfile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mlflow_envs import ROOT

BAD_CONFIGS = {
    "bad_toml": ("[tool.mlflow-compat\nversions = ['3']\n", "invalid TOML"),
    "unknown_key": ("[tool.mlflow-compat]\nversionz = ['3']\n", "versionz"),
    "bad_spec": ("[tool.mlflow-compat]\nversions = ['3', 'latest']\n", "'latest'"),
    "negative_repeat": ("[tool.mlflow-compat]\nrepeat = -1\n", "repeat"),
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_COMPAT_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _one_line_exit_2(proc: subprocess.CompletedProcess, *needles: str) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-1000:], err[-2000:])
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlflow-compat:"), err
    for needle in needles:
        assert needle in lines[0], lines[0]


def _harness(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=ROOT, env=_env(**env),
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_bad_config_file_via_the_cli(tmp_path, name):
    body, key = BAD_CONFIGS[name]
    config = tmp_path / "pyproject.toml"
    config.write_text(body)
    for command in ("report", "gate", "run"):
        _one_line_exit_2(_harness(command, "--config", str(config), "--results-dir", str(tmp_path)), key)


@pytest.mark.parametrize("args, key", [
    (["run", "--no-builtin", "--repeat", "-1"], "--repeat"),
    (["run", "--no-builtin", "--timeout", "0"], "--timeout"),
    (["report", "--config", "no-such-pyproject.toml"], "no-such-pyproject.toml"),
    (["gate", "--candidate", "newest"], "'newest'"),
])
def test_bad_command_line_values(tmp_path, args, key):
    _one_line_exit_2(_harness(*args, "--results-dir", str(tmp_path)), key)


def test_bad_version_spec_in_the_environment_via_the_cli(tmp_path):
    _one_line_exit_2(_harness("report", "--results-dir", str(tmp_path), MLFLOW_COMPAT_VERSIONS="3 latest"),
                     "'latest'", "MLFLOW_COMPAT_VERSIONS")


def _nox(*args: str, noxfile: Path = ROOT / "noxfile.py", **env: str) -> subprocess.CompletedProcess:
    if shutil.which("nox") is None and subprocess.run([sys.executable, "-m", "nox", "--version"],
                                                       capture_output=True).returncode != 0:
        pytest.skip("nox is not installed")
    return subprocess.run([sys.executable, "-m", "nox", "-f", str(noxfile), *args], cwd=noxfile.parent,
                          env=_env(**env), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args", [["-l"], ["-s", "matrix"]])
def test_nox_with_a_bad_version_spec_in_the_environment(args):
    _one_line_exit_2(_nox(*args, MLFLOW_COMPAT_VERSIONS="latest"), "'latest'", "MLFLOW_COMPAT_VERSIONS")


@pytest.mark.parametrize("name", ["bad_toml", "unknown_key", "negative_repeat"])
def test_nox_with_a_bad_pyproject(tmp_path, name):
    body, key = BAD_CONFIGS[name]
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "noxfile.py", project)
    shutil.copytree(ROOT / "harness", project / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "pyproject.toml").write_text(body)
    _one_line_exit_2(_nox("-l", noxfile=project / "noxfile.py"), key)
