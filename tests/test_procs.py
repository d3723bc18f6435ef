"""harness.procs.supervise: the one supervisor of subprocess steps (exit code, signal,
timeout, the process group killed, output in a log). No MLflow needed."""

from __future__ import annotations

import sys
import time

from harness import procs
from tests.fault_scenarios._support import wait_dead


def test_exit_code_and_output_land_in_the_result_and_the_log(tmp_path):
    log = tmp_path / "step.log"
    ended = procs.supervise([sys.executable, "-c", "import sys; print('hello'); sys.exit(3)"],
                            log=log, timeout=30, cwd=tmp_path)
    assert (ended.exit_code, ended.signal, ended.timed_out, ended.ok) == (3, None, False, False)
    assert ended.returncode == 3 and ended.log == log and ended.seconds > 0
    assert procs.output_tail(log, 5) == "hello"
    assert procs.supervise([sys.executable, "-c", "pass"], log=log, timeout=30).ok


def test_a_signal_is_reported_as_the_signal(tmp_path):
    ended = procs.supervise([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"],
                            log=tmp_path / "log", timeout=30)
    assert (ended.exit_code, ended.signal, ended.timed_out, ended.returncode) == (None, 11, False, -11)


def test_a_hang_times_out_and_its_process_group_is_killed(tmp_path):
    pids = tmp_path / "pids"
    code = (
        "import subprocess, time, pathlib\n"
        "child = subprocess.Popen(['sleep', '600'])\n"  # same process group: killed with it
        f"pathlib.Path({str(pids)!r}).write_text(str(child.pid))\n"
        "time.sleep(600)\n"
    )
    started = time.monotonic()
    ended = procs.supervise([sys.executable, "-c", code], log=tmp_path / "log", timeout=2)
    assert ended.timed_out and ended.returncode is None and ended.exit_code is None
    assert 2 <= time.monotonic() - started < 15
    assert wait_dead([int(pids.read_text())]) == []


def test_what_a_finished_step_left_in_its_group_is_killed_too(tmp_path):
    pids = tmp_path / "pids"
    code = f"import subprocess, pathlib; pathlib.Path({str(pids)!r}).write_text(str(subprocess.Popen(['sleep', '600']).pid))"
    assert procs.supervise([sys.executable, "-c", code], log=tmp_path / "log", timeout=30).ok
    assert wait_dead([int(pids.read_text())]) == []
