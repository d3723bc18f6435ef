"""The plumbing every cross-version check group shares: the two sides, a step, its record.

Stdlib only: this runs in nox's own interpreter. An :class:`Orchestrator`
holds the two environments (``baseline`` and ``candidate``) and the work
directory (``results/work/cross/<baseline>__<candidate>/``) where what one
side writes for the other lives. ``call`` runs one in-environment function of
a group (``python -m harness.crossversion step NAME ...``) in a side's
environment through the one process supervisor (``harness.procs.supervise``:
own session, timeout, process group killed), and turns a missing result (a
crash, a hang) into a status; ``add`` / ``add_from`` record a step.

A check group (``artifacts``, ``database``, ``server``) is a :class:`Group`:
its step ids, its orchestration (a function of an ``Orchestrator``) and its
in-environment functions. ``harness.crossversion.groups`` lists them.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from harness import procs
from harness import home
from harness.crossversion.pairing import SideEnv
from harness.outcomes import Status
from harness.results.cross import StepResult

#: environment of every step: no warnings on stderr, no telemetry, no git probing
QUIET_ENV = {
    "PYTHONWARNINGS": "ignore",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "GIT_PYTHON_REFRESH": "quiet",
}
TAIL_LINES = 12

#: an in-environment function: the parsed ``step`` arguments -> its results
#: (each ``{"id", "status", "error", "observations", "duration_s"}``, see ``inenv.check``)
InEnv = Callable[[argparse.Namespace], list[dict[str, Any]]]


@dataclass(frozen=True)
class Group:
    """One group of cross-version checks, registered in ``harness.crossversion.groups``."""

    #: ``--only NAME`` selects it; its step ids start with ``NAME.``
    name: str
    #: its step ids, in the order they are shown, with what each checks
    steps: Mapping[str, str]
    #: runs its steps across the two sides (in nox's interpreter)
    orchestrate: Callable[["Orchestrator"], None]
    #: ``step NAME`` -> the function run inside an environment
    in_env: Mapping[str, InEnv]
    #: options of ``python -m harness.crossversion step`` its functions read: flag -> add_argument kwargs
    step_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: recorded in the cross file's ``settings``
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Called:
    """What one in-environment step call produced, or why it produced nothing."""

    #: the step's results, or None when its process wrote none
    results: list[dict[str, Any]] | None
    #: ``crashed`` or ``timeout`` when the process failed, else None
    status: str | None
    reason: str | None
    #: the last lines of its output
    tail: str
    seconds: float

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.results or []}


class Orchestrator:
    """The two sides, the work directory and the steps recorded so far."""

    def __init__(self, sides: dict[str, SideEnv], work: Path, timeout: float,
                 import_path: str = str(home.HOME)) -> None:
        self.sides = sides
        #: how the steps import the harness in the sides' environments (``harness.home.import_path``)
        self.import_path = import_path
        self.work = work
        self.timeout = timeout
        self.steps: list[StepResult] = []
        self.counter = 0
        (work / "tmp").mkdir(parents=True, exist_ok=True)
        (work / "steps").mkdir(exist_ok=True)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A step's environment: ours without ``MLFLOW_*``, quiet, the harness importable."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update(QUIET_ENV)
        env.update({"PYTHONPATH": self.import_path, "TMPDIR": str(self.work / "tmp")})
        env.update(extra or {})
        return env

    def mlflow_cli(self, role: str) -> str:
        """The ``mlflow`` script of a side's environment."""
        return str(Path(self.sides[role].python).parent / "mlflow")

    def execute(self, cmd: list[str], label: str, extra_env: dict[str, str] | None = None) -> procs.Finished:
        """Run ``cmd`` under the step timeout, its output in ``steps/NN-<label>.log``."""
        self.counter += 1
        log = self.work / "steps" / f"{self.counter:02d}-{label}.log"
        return procs.supervise(cmd, log=log, timeout=self.timeout, cwd=self.work, env=self.env(extra_env))

    def call(self, role: str, step: str, args: list[str], extra_env: dict[str, str] | None = None) -> Called:
        """Run the in-environment function ``step`` in ``role``'s environment."""
        out = self.work / "steps" / f"{self.counter + 1:02d}-{step}-{role}.json"
        cmd = [self.sides[role].python, "-m", "harness.crossversion", "step", step, "--out", str(out), *args]
        ended = self.execute(cmd, f"{step}-{role}", extra_env)
        tail = procs.output_tail(ended.log, TAIL_LINES)
        if out.exists():
            try:
                return Called(json.loads(out.read_text())["results"], None, None, tail, ended.seconds)
            except (ValueError, KeyError):
                return Called(None, "crashed", "the step wrote an unreadable result", tail, ended.seconds)
        if ended.timed_out:
            reason = f"no result within {self.timeout:g}s; process tree killed"
            return Called(None, "timeout", reason, tail, ended.seconds)
        if ended.signal is not None:
            return Called(None, "crashed", f"killed by signal {ended.signal}", tail, ended.seconds)
        reason = f"process exited with code {ended.exit_code} without a result"
        return Called(None, "crashed", reason, tail, ended.seconds)

    def add(self, sid: str, from_role: str, to_role: str, status: str, *, duration: float = 0.0,
            error: dict[str, str] | None = None, observations: dict[str, Any] | None = None,
            reason: str | None = None) -> StepResult:
        """Record one step (and print its line)."""
        step = StepResult(sid, sid.split(".")[0], from_role, to_role, status, round(duration, 3), error,
                          observations or {}, reason)
        self.steps.append(step)
        mark = "ok" if status == Status.PASS else status.upper()
        why = f"  ({(error or {}).get('message') or reason})" if status != Status.PASS else ""
        print(f"  {sid:<34} {self.sides[from_role].version:>8} -> {self.sides[to_role].version:<8} {mark}{why[:160]}",
              flush=True)
        return step

    def add_from(self, found: dict[str, Any] | None, sid: str, from_role: str, to_role: str,
                 called: Called) -> StepResult:
        """Record an in-environment result, or the process failure that kept it from being written."""
        if found is not None:
            return self.add(sid, from_role, to_role, found["status"], duration=found.get("duration_s", 0.0),
                            error=found.get("error"), observations=found.get("observations"))
        status, reason = called.status, called.reason
        if status is None:
            status, reason = "error", "the step finished without a result for this check"
        return self.add(sid, from_role, to_role, status, duration=called.seconds, reason=reason,
                        error={"type": status, "message": reason}, observations={"output_tail": called.tail})

    def skip(self, sids: tuple[str, ...] | list[str], from_role: str, to_role: str, reason: str) -> None:
        """Record each of ``sids`` as skipped, with why."""
        for sid in sids:
            self.add(sid, from_role, to_role, "skipped", reason=reason)


def diff_json(a: Any, b: Any, path: str = "$", limit: int = 20) -> list[str]:
    """Differences between two JSON values, as ``path: a != b`` lines (at most ``limit``)."""
    out: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                if key not in y:
                    out.append(f"{where}.{key}: missing after")
                elif key not in x:
                    out.append(f"{where}.{key}: new after")
                else:
                    walk(x[key], y[key], f"{where}.{key}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                out.append(f"{where}: {len(x)} items before, {len(y)} after")
            for i, (p, q) in enumerate(zip(x, y)):
                walk(p, q, f"{where}[{i}]")
        elif x != y:
            out.append(f"{where}: {json.dumps(x, default=str)[:80]} != {json.dumps(y, default=str)[:80]}")

    walk(a, b, path)
    return out[:limit]
