"""Scenarios for the interrupted-run test through nox (tests/test_faults_nox.py). NOT shipped.

``a_quick`` finishes at once; ``b_hang`` writes its pids to ``$FAULTS_OUT`` and
hangs until the run is interrupted.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from harness.scenario import Context, scenario


@scenario(id="faults.interrupt.a_quick", area="faults", kind="capability")
def quick(ctx: Context) -> None:
    """Passes at once: the one result an interrupted run has to keep apart."""
    ctx.observe("ran", True)


@scenario(id="faults.interrupt.b_hang", area="faults", kind="capability", timeout=600)
def hang(ctx: Context) -> None:
    """Hangs with a detached child until the run is interrupted."""
    child = subprocess.Popen(["sleep", "600"], start_new_session=True)
    out = Path(os.environ["FAULTS_OUT"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "nox_hang.json").write_text(json.dumps({"pids": [os.getpid(), child.pid], "runner": os.getppid()}))
    time.sleep(600)
