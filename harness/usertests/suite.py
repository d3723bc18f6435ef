"""Run the project's pytest suite once, in this version's environment, and turn it into rows.

``harness run`` calls :func:`run_suite` before the scenarios when the
configuration has ``pytest_paths``: ``python -m pytest`` with this
interpreter (the version's environment, where the project is installed next
to MLflow), in the project root, with ``harness.usertests.plugin`` writing the
events. It runs as a supervised process (``harness.procs.supervise``: its own
session, ``pytest_timeout``, the whole tree killed afterwards), so a suite that
hangs or crashes costs its own rows and nothing else: the built-in scenarios
still run.

The suite's environment: this process's, without ``PYTHONWARNINGS`` (which
would silence the warnings pytest records), with ``TMPDIR`` in a fresh
directory and ``MLFLOW_TRACKING_URI``/``MLFLOW_REGISTRY_URI`` pointing at a
fresh sqlite store there, as every scenario gets one: a test that configures
no store of its own must not write ``./mlruns`` into the repository, where the
next version's column would find it. Tests that set their own URI are not
affected. ``--continue-on-collection-errors`` keeps one broken module from
stopping the rest; ``-p no:cacheprovider`` leaves no ``.pytest_cache``.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from harness import procs
from harness.results.runs import ScenarioResult
from harness.usertests import rows

#: lines of pytest's own output kept when it did not end normally
TAIL_LINES = 20


@dataclass(frozen=True)
class Suite:
    """What to run: the project's paths and arguments, where, and for how long."""

    root: Path
    paths: tuple[str, ...]
    args: tuple[str, ...] = ()
    timeout: float = 1800.0

    @classmethod
    def of(cls, config) -> "Suite | None":
        if not config.pytest_paths:
            return None
        return cls(config.root, tuple(config.pytest_paths), tuple(config.pytest_args), config.pytest_timeout)

    def command(self, events: Path, work: Path, python: str = sys.executable) -> list[str]:
        return [python, "-m", "pytest", "-p", "harness.usertests.plugin", "-p", "no:cacheprovider",
                f"--mlflow-compat-events={events}", f"--mlflow-compat-work={work}",
                "--continue-on-collection-errors", *self.args, *self.paths]


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """The plugin's events; a line cut short by a crash ends the list."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            return
        if isinstance(event, dict):
            yield event


def environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    tmp = work / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    store = f"sqlite:///{work / 'mlflow.db'}"
    env.update(TMPDIR=str(tmp), MLFLOW_TRACKING_URI=store, MLFLOW_REGISTRY_URI=store)
    return env


def run_suite(suite: Suite, base: Path) -> tuple[list[ScenarioResult], dict[str, Any]]:
    """Run ``suite`` with a work directory under ``base``; (its rows, facts for the run file)."""
    work = Path(tempfile.mkdtemp(prefix="pytest.", dir=base))
    events, log = work / "events.jsonl", work / "pytest.log"
    cmd = suite.command(events, work)
    ended = procs.supervise(cmd, log=log, timeout=suite.timeout, cwd=suite.root, env=environment(work))
    outcome = {"exit_code": ended.exit_code, "signal": ended.signal, "timed_out": ended.timed_out,
               "seconds": round(ended.seconds, 3), "timeout": suite.timeout}
    tail = procs.output_tail(log, TAIL_LINES).replace(str(work), "<work>")
    found = rows.rows(read_events(events), outcome, tail)
    facts = {"paths": list(suite.paths), "args": list(suite.args),
             "command": shlex.join(["python", *cmd[1:]]).replace(str(work), "<work>"), **outcome,
             "rows": len(found)}
    return found, facts
