"""Helpers for the fault tests (not a scenario module: the leading underscore
keeps the scenario loader away)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from tests.mlflow_envs import ROOT, _clean_env

FAULTS_DIR = Path(__file__).resolve().parent


def alive(pid: int) -> bool:
    """Is ``pid`` a live process (zombies count as dead)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def wait_dead(pids: list[int], seconds: float = 10.0) -> list[int]:
    """Pids still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def harness_env(**extra: str) -> dict[str, str]:
    """The environment ``run_harness`` uses, plus ``extra``."""
    return {**_clean_env(), "PYTHONPATH": str(ROOT), **extra}


def wait_for_file(path: Path, proc: subprocess.Popen, seconds: float) -> dict:
    """The JSON a scenario notes in ``path``; fails if ``proc`` ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            try:
                return json.loads(path.read_text())
            except ValueError:
                pass  # being written
        if proc.poll() is not None:
            raise AssertionError(f"process ended ({proc.returncode}) before {path.name} appeared")
        time.sleep(0.2)
    raise AssertionError(f"{path.name} did not appear within {seconds:g}s")


def snapshot(directory: Path) -> list[str]:
    return sorted(os.listdir(directory)) if directory.exists() else []


def kill_all(pids: list[int]) -> None:
    """Test hygiene when the harness failed to: SIGKILL whatever is still alive."""
    import signal

    for pid in pids:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def noted_pids(out: Path) -> list[int]:
    """Every pid a fault scenario noted in ``out`` (pids, pid, runner)."""
    found: list[int] = []
    for path in sorted(out.glob("*.json")) if out.exists() else []:
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        found.extend(data.get("pids", []))
        found.extend(data[k] for k in ("pid", "runner") if k in data)
    return found
