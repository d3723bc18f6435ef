"""Fault-injection scenarios for tests/test_faults_runner.py. NOT shipped.

Only the faults whose handling crosses the whole runner (the run file, the
partial file, redaction, the store, a real MLflow start) are here; the
sandbox's own cases (crash codes, signals, leftover children, exceptions
whose str() raises ...) are unit-tested without MLflow in test_sandbox.py and
test_capture.py.

Load with ``python -m harness run --no-builtin --scenario-path tests/fault_scenarios/runner_faults.py``.
Each scenario misbehaves in one way. Pids, ports and paths the test must check
afterwards are written as JSON files to ``$FAULTS_OUT`` (a directory the test
owns, outside the scenario's working directory, which the runner deletes).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import net
from harness.scenario import Context, scenario


def _note(name: str, **data) -> None:
    out = Path(os.environ["FAULTS_OUT"])
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(data))


def _detached_sleeper() -> subprocess.Popen:
    """A process in its own session: the scenario's process group kill misses it."""
    return subprocess.Popen(["sleep", "600"], start_new_session=True)


def _daemon_sleeper() -> int:
    """A double-forked daemon: re-parented away from the scenario; returns its pid."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(write, str(os.getpid()).encode())
            os.execvp("sleep", ["sleep", "600"])
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write)
    return int(os.read(read, 32).decode())


@scenario(id="faults.exception.value_error", area="faults", kind="capability")
def value_error(ctx: Context) -> None:
    """An ordinary exception."""
    raise ValueError("boom: an ordinary failure")


@scenario(id="faults.base.keyboard_interrupt", area="faults", kind="capability")
def keyboard_interrupt(ctx: Context) -> None:
    """KeyboardInterrupt raised inside the scenario (not a signal to the runner)."""
    raise KeyboardInterrupt("raised inside the scenario")


@scenario(id="faults.crash.exit_3", area="faults", kind="capability")
def exit_3(ctx: Context) -> None:
    """The process ends without unwinding."""
    print("about to os._exit(3)", flush=True)
    os._exit(3)


@scenario(id="faults.hang.forever", area="faults", kind="capability", timeout=3)
def hang(ctx: Context) -> None:
    """Hangs past its 3 s limit, with a detached child and a daemon that would outlive it."""
    child = _detached_sleeper()
    _note("hang", pids=[os.getpid(), child.pid, _daemon_sleeper()])
    time.sleep(600)


@scenario(id="faults.leak.server", area="faults", kind="capability")
def leak_server(ctx: Context) -> None:
    """Starts an HTTP server in its own session on 127.0.0.1 and never stops it."""
    port = net.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while net.bind_check(port):
        if time.monotonic() > deadline:
            raise RuntimeError("http.server did not start")
        time.sleep(0.05)
    _note("leak_server", pid=server.pid, port=port)


@scenario(id="faults.listen.not_loopback", area="faults", kind="capability")
def not_loopback(ctx: Context) -> None:
    """Listens on 127.0.0.2 (not 127.0.0.1; still never reachable from outside the machine)."""
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    sock.listen()
    _note("not_loopback", pid=os.getpid(), port=sock.getsockname()[1])
    time.sleep(30)


@scenario(id="faults.secret.in_error", area="faults", kind="capability")
def secret_in_error(ctx: Context) -> None:
    """Prints and raises with a token taken from the environment."""
    token = os.environ["FAULTS_API_TOKEN"]
    print(f"using token {token}", flush=True)
    raise PermissionError(f"server refused token {token}")


@scenario(id="faults.secret.in_crash_output", area="faults", kind="capability")
def secret_in_crash_output(ctx: Context) -> None:
    """Prints a token, then dies: the output tail goes into the crash reason."""
    print(f"Authorization: Bearer {os.environ['FAULTS_API_TOKEN']}", flush=True)
    os._exit(1)


@scenario(id="faults.tmp.left_behind", area="faults", kind="capability")
def tmp_left_behind(ctx: Context) -> None:
    """Creates temporary files and directories and never removes them."""
    path = Path(tempfile.mkdtemp(prefix="faults-left-"))
    (path / "big.bin").write_bytes(b"\0" * 100_000)
    fd, name = tempfile.mkstemp(prefix="faults-left-")
    os.close(fd)
    _note("tmp_left_behind", paths=[str(path), name])


@scenario(id="faults.zz_after.store_still_works", area="faults", kind="capability")
def store_still_works(ctx: Context) -> None:
    """After every fault above: this scenario still gets a fresh, readable tracking store."""
    import sqlite3

    db = ctx.tracking_uri.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM experiments")]
    ctx.check(names == ["Default"], f"experiments in the fresh store: {names}")


@scenario(id="faults.zz_interrupt.hang", area="faults", kind="capability", timeout=600)
def interrupted_while_hanging(ctx: Context) -> None:
    """Runs last and hangs (with a detached child) until the test interrupts the runner."""
    child = _detached_sleeper()
    _note("interrupt", pids=[os.getpid(), child.pid, _daemon_sleeper()])
    time.sleep(600)
