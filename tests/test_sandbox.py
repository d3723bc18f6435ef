"""harness.runner.sandbox: a forked child's timeout, crash codes, leftover processes and
loopback rule, with plain Python bodies (tests/fault_scenarios/_sandbox_bodies.py). No MLflow.

Each body runs in a process of its own (a child subreaper, as the runner is),
so the sandbox's clean-up of "every process below me" never touches pytest's.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from harness import net
from harness.runner.sandbox import interrupts_deferred, output_of
from tests.fault_scenarios._support import wait_dead
from tests.mlflow_envs import ROOT


def fork_watch(name: str, work, timeout: float = 20.0) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fault_scenarios._sandbox_bodies", name, str(work), str(timeout)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def notes(work) -> dict:
    return json.loads((work / "notes.json").read_text())


def test_a_body_that_returns_is_ok_in_its_own_dir_with_output_in_a_log(tmp_path):
    ended = fork_watch("ok", tmp_path)
    assert ended["outcome"] == "ok" and ended["detail"] is None and ended["left_running"] == []
    assert output_of(tmp_path) == f"cwd={tmp_path} tmpdir={tmp_path / 'tmp'}"


@pytest.mark.parametrize("name, detail", [
    ("raises", "process exited with code 70"),
    ("exit_3", "process exited with code 3"),
    ("sigsegv", "killed by signal SIGSEGV (11)"),
])
def test_a_body_that_dies_is_crashed_with_its_code_or_signal(tmp_path, name, detail):
    ended = fork_watch(name, tmp_path)
    assert (ended["outcome"], ended["detail"]) == ("crashed", detail)
    if name == "raises":  # the traceback is in the output log
        assert output_of(tmp_path).splitlines()[-1] == "ValueError: boom from the body"
    if name == "exit_3":
        assert output_of(tmp_path) == "about to os._exit(3)"


def test_a_hang_times_out_and_its_whole_tree_is_killed(tmp_path):
    ended = fork_watch("hang", tmp_path, timeout=1)
    assert (ended["outcome"], ended["detail"]) == ("timeout", "no result within 1s; process tree killed")
    assert 1 <= ended["seconds"] < 10
    # the child, a process in its own session and a double-forked daemon
    assert wait_dead(notes(tmp_path)["pids"]) == []


def test_processes_left_running_are_killed_and_named(tmp_path):
    ended = fork_watch("leak", tmp_path)
    assert ended["outcome"] == "ok" and ended["left_running"] == ["sleep", "sleep"]
    assert wait_dead(notes(tmp_path)["pids"]) == []


def test_a_loopback_server_left_running_is_killed_and_says_where_it_listened(tmp_path):
    ended = fork_watch("leak_loopback_server", tmp_path)
    assert ended["outcome"] == "ok"
    [left] = ended["left_running"]
    assert left.endswith("(listening on 127.0.0.1)")
    seen = notes(tmp_path)
    assert wait_dead(seen["pids"]) == [] and net.bind_check(seen["port"])


def test_listening_beyond_127_0_0_1_ends_the_child_at_once(tmp_path):
    ended = fork_watch("listen_exposed", tmp_path, timeout=60)
    assert ended["outcome"] == "exposed"
    assert "127.0.0.2" in ended["detail"] and "must bind 127.0.0.1 only" in ended["detail"]
    assert ended["seconds"] < 15  # seen by the watch, not after the body's 30 s sleep
    seen = notes(tmp_path)
    assert wait_dead(seen["pids"]) == [] and net.bind_check(seen["port"], "127.0.0.2")


def test_a_server_beyond_loopback_left_behind_is_exposed_too(tmp_path):
    ended = fork_watch("leak_exposed_server", tmp_path)
    assert ended["outcome"] == "exposed" and "127.0.0.2" in ended["detail"]
    assert any("listening on 127.0.0.2" in left for left in ended["left_running"])
    assert wait_dead(notes(tmp_path)["pids"]) == []


def test_interrupts_are_held_until_the_block_ends_not_lost():
    got = []
    old = signal.signal(signal.SIGINT, lambda *_: got.append(time.monotonic()))
    try:
        with interrupts_deferred():
            # to this thread (the one forking): other threads of the test process may not block it
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)
            time.sleep(0.05)
            assert got == []
        deadline = time.monotonic() + 2
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(got) == 1
    finally:
        signal.signal(signal.SIGINT, old)
