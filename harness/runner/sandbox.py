"""The process sandbox: run a function in a forked child and say how it ended.

``fork_watch`` forks; the child gets its own session (process group), default
signal handlers, its output redirected to ``<work_dir>/output.log``, its own
``TMPDIR`` under the working directory, and dies with the parent (a runner
killed with SIGKILL takes its scenario down too). The parent waits with a
timeout and, when asked, samples the listening TCP sockets of its process
tree: a server bound to anything but 127.0.0.1 ends the child at once.
Whatever the child does (return, raise, ``os._exit``, get killed, hang, leave
processes running) the parent kills its process group and every process left
below the runner (a child subreaper, see ``harness.procs.become_subreaper``)
and returns one :class:`ChildOutcome`. Standard library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from harness import net
from harness.outcomes import Status
from harness.procs import descendants, kill_tree, output_tail

PR_SET_PDEATHSIG = 1
#: how often a running child's listening sockets are sampled (reading
#: /proc/net/tcp{,6} costs ~10 ms of CPU here: 1% of a core at 1 s)
WATCH_INTERVAL_S = 1.0
#: the child's stdout and stderr, inside its working directory
OUTPUT_LOG = "output.log"
#: lines of a child's output kept when it ended without a result
OUTPUT_TAIL_LINES = 15
#: exit code of a child whose body raised (the traceback is in its output log)
BODY_RAISED = 70
_INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


@dataclass
class ChildOutcome:
    """How a forked child ended, and what it left behind."""

    #: ``ok``, ``exposed`` (listened beyond loopback), or ``Status.TIMEOUT`` / ``Status.CRASHED``
    outcome: str
    detail: str | None = None
    #: processes still running when the child ended: "comm (listening on ...)"
    left_running: list[str] = field(default_factory=list)


def output_of(work_dir: Path, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last lines the child printed ("" when it printed nothing)."""
    return output_tail(work_dir / OUTPUT_LOG, lines)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends (delivered then, not lost).

    Used around ``fork`` (a child must never run the runner's handlers) and
    around clean-up (a second Ctrl-C must not leave processes or temp dirs).
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def fork_watch(
    body: Callable[[], None], work_dir: Path, timeout: float, watch_network: bool = False
) -> ChildOutcome:
    """Run ``body`` in a forked child, kill whatever it leaves, say how it ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    known_exposed = net.exposed_inodes() if watch_network else set()
    with interrupts_deferred():
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                _in_child(body, work_dir)
            finally:
                os._exit(BODY_RAISED)
    try:
        status, problem = _wait(pid, timeout, _network_watch(known_exposed) if watch_network else None)
        left, left_problem = _left_behind() if status is not None else ([], None)
    except BaseException:
        kill_tree(pid)
        raise
    kill_tree(pid)
    if status is None:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        if problem:
            return ChildOutcome("exposed", problem)
        return ChildOutcome(Status.TIMEOUT, f"no result within {timeout:g}s; process tree killed")
    if watch_network and left_problem:
        return ChildOutcome("exposed", left_problem, left)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return ChildOutcome(Status.CRASHED, f"killed by signal {name} ({sig})", left)
    code = os.WEXITSTATUS(status)
    if code != 0:
        return ChildOutcome(Status.CRASHED, f"process exited with code {code}", left)
    return ChildOutcome("ok", None, left)


def fork_run(body: Callable[[], None], work_dir: Path, timeout: float) -> tuple[str, str | None]:
    """Run ``body`` in a forked child; ('ok'|'timeout'|'crashed', detail)."""
    ended = fork_watch(body, work_dir, timeout)
    return ended.outcome, ended.detail


# -- the child ---------------------------------------------------------------
def _in_child(body: Callable[[], None], work_dir: Path) -> None:
    """Fork-side preamble: own session, default signals, output to a log."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTS)
    _die_with_parent()
    log = os.open(work_dir / OUTPUT_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.chdir(work_dir)
    tmp = work_dir / "tmp"
    tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None
    code = 0
    try:
        body()
    except BaseException:  # noqa: BLE001 - the parent reads the output log
        traceback.print_exc()
        code = BODY_RAISED
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent() -> None:
    """If the runner itself is killed (SIGKILL), the scenario process dies too."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux
        pass


# -- the parent --------------------------------------------------------------
def _wait(
    pid: int, timeout: float, watch: Callable[[], str | None] | None = None
) -> tuple[int | None, str | None]:
    """Wait for ``pid``: (wait status, None) when it ends, (None, None) on
    timeout, (None, problem) as soon as ``watch`` (called every
    ``WATCH_INTERVAL_S``) reports a problem."""
    deadline = time.monotonic() + timeout
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, None
            if watch is not None:
                problem = watch()
                if problem:
                    return None, problem
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, None
            step = WATCH_INTERVAL_S if watch is not None else 1.0
            if pidfd is not None:
                select.select([pidfd], [], [], min(remaining, step))
            else:
                time.sleep(min(remaining, 0.02))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def non_loopback_listeners() -> str | None:
    """Whether any process under the runner listens beyond 127.0.0.1, as a message."""
    exposed = [l for l in net.listening_sockets(descendants(os.getpid(), include_zombies=False)) if not l.loopback_only]
    if not exposed:
        return None
    return (
        "listened on " + ", ".join(str(l) for l in exposed)
        + "; scenario servers must bind 127.0.0.1 only (process tree killed)"
    )


def _network_watch(known: set[int]) -> Callable[[], str | None]:
    """A cheap poll: read /proc/net/tcp{,6}, and walk the process tree only
    when a listener beyond loopback appeared that is not known to be someone
    else's (sockets that existed before the fork cannot be the scenario's)."""
    known = set(known)

    def watch() -> str | None:
        fresh = net.exposed_inodes() - known
        if not fresh:
            return None
        problem = non_loopback_listeners()
        if problem is None:
            known.update(fresh)  # another process on this machine, not ours
        return problem

    return watch


def _left_behind() -> tuple[list[str], str | None]:
    """Processes still running under us, and a problem if one listens beyond loopback."""
    left = descendants(os.getpid(), include_zombies=False)
    if not left:
        return [], None
    listeners = net.listening_sockets(left)
    described = []
    for pid, comm in sorted(left.items()):
        hosts = sorted({l.host for l in listeners if l.pid == pid})
        described.append(f"{comm} (listening on {', '.join(hosts)})" if hosts else comm)
    return described, non_loopback_listeners()
