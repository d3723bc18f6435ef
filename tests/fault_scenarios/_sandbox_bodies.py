"""Misbehaving bodies for tests/test_sandbox.py, run through ``fork_watch`` in a process of their own.

``python -m tests.fault_scenarios._sandbox_bodies NAME WORK_DIR TIMEOUT`` makes
this process a child subreaper (as the runner is), runs body NAME through
``harness.runner.sandbox.fork_watch`` with the network watch on, and prints
the :class:`ChildOutcome` as JSON. Pids a body wants checked afterwards go to
``WORK_DIR/notes.json``. No MLflow involved. (The leading underscore keeps the
scenario loader away.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from harness import net
from harness.procs import become_subreaper
from harness.runner.sandbox import fork_watch


def _note(**data) -> None:
    Path("notes.json").write_text(json.dumps(data))  # the child's cwd is its work dir


def _detached_sleeper() -> int:
    """A process in its own session: the child's process-group kill misses it."""
    return subprocess.Popen(["sleep", "600"], start_new_session=True).pid


def _daemon_sleeper() -> int:
    """A double-forked daemon, re-parented away from the child; its pid."""
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


def _listener(host: str) -> int:
    """A detached process listening on ``host``; returns once it listens."""
    port = net.free_port(host=host)
    code = f"import socket,time; s=socket.socket(); s.bind(({host!r},{port})); s.listen(); time.sleep(600)"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 20
    while net.bind_check(port, host):
        if time.monotonic() > deadline:
            raise RuntimeError("the listener did not start")
        time.sleep(0.02)
    _note(pids=[proc.pid], port=port)
    return proc.pid


def ok() -> None:
    print(f"cwd={os.getcwd()} tmpdir={os.environ['TMPDIR']}", flush=True)


def raises() -> None:
    raise ValueError("boom from the body")


def exit_3() -> None:
    print("about to os._exit(3)", flush=True)
    os._exit(3)


def sigsegv() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(5)


def hang() -> None:
    _note(pids=[os.getpid(), _detached_sleeper(), _daemon_sleeper()])
    time.sleep(600)


def leak() -> None:
    _note(pids=[_detached_sleeper(), _daemon_sleeper()])


def leak_loopback_server() -> None:
    _listener("127.0.0.1")


def leak_exposed_server() -> None:
    _listener("127.0.0.2")


def listen_exposed() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    sock.listen()
    _note(pids=[os.getpid()], port=sock.getsockname()[1])
    time.sleep(30)


BODIES = {f.__name__: f for f in (ok, raises, exit_3, sigsegv, hang, leak, leak_loopback_server,
                                  leak_exposed_server, listen_exposed)}

if __name__ == "__main__":
    name, work, timeout = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    become_subreaper()
    started = time.monotonic()
    ended = fork_watch(BODIES[name], work, timeout, watch_network=True)
    print(json.dumps({**dataclasses.asdict(ended), "seconds": time.monotonic() - started}))
