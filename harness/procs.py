"""Processes on Linux: starting and supervising one, who is below it, killing a tree or a group.

The one supervisor for subprocesses: ``spawn`` starts a command in its own
session (its pid is its process group) with its output in a log, and
``supervise`` runs one to the end or its timeout, kills whatever it left in
its group, and says how it ended as a :class:`Finished` (exit code, signal or
timeout). The cross-version steps run through ``supervise``; ``harness.servers``
starts servers with ``spawn`` and stops their tree with ``stop_tree``; the
runner (a child subreaper) kills every process left under it after each
scenario with ``kill_tree``. Reads ``/proc``; where there is none, a process
has no known descendants and only the group signals are sent. Standard library
only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Finished:
    """How a supervised process ended: an exit code, a signal, or its timeout."""

    #: the exit code when it exited by itself, else None
    exit_code: int | None
    #: the signal that killed it, else None
    signal: int | None
    #: it did not end within its timeout (its process group was killed)
    timed_out: bool
    seconds: float
    #: where its stdout and stderr went
    log: Path

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def returncode(self) -> int | None:
        """``subprocess``'s convention: the exit code, minus the signal, None on timeout."""
        if self.timed_out:
            return None
        return -self.signal if self.signal is not None else self.exit_code


def spawn(
    cmd: Sequence[str], *, log: Path, cwd: str | Path | None = None, env: Mapping[str, str] | None = None,
) -> subprocess.Popen:
    """Start ``cmd`` in its own session, stdin from /dev/null, stdout and stderr appended to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            list(cmd), cwd=cwd, env=dict(env) if env is not None else None,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )


def supervise(
    cmd: Sequence[str], *, log: Path, timeout: float, cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Finished:
    """Run ``cmd`` (see ``spawn``) until it ends or ``timeout`` seconds pass.

    Its process group is killed afterwards in every case, so nothing it
    started in its group outlives it; an interrupt (Ctrl-C) kills it too and
    is re-raised.
    """
    start = time.perf_counter()
    proc = spawn(cmd, log=log, cwd=cwd, env=env)
    code: int | None
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    except BaseException:
        kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        kill_group(proc.pid)  # whatever it left running in its group goes too
    if code is None:
        proc.wait()
    seconds = time.perf_counter() - start
    if code is None:
        return Finished(None, None, True, seconds, Path(log))
    if code < 0:
        return Finished(None, -code, False, seconds, Path(log))
    return Finished(code, None, False, seconds, Path(log))


def become_subreaper() -> None:
    """Orphans of our descendants get re-parented to us (not init), so ``kill_tree`` finds them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux
        pass


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, comm) for every process, from one pass over /proc."""
    table = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces/parens
        head, _, rest = stat.rpartition(")")
        fields = rest.split()
        if len(fields) > 1:
            table[int(entry.name)] = (int(fields[1]), fields[0], head.partition("(")[2])
    return table


def descendants(root: int, include_zombies: bool = True) -> dict[int, str]:
    """pid -> command name of every process below ``root`` (empty without /proc)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = {}, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        _, state, comm = table[pid]
        if include_zombies or state not in ("Z", "X"):
            found[pid] = comm
        stack.extend(children.get(pid, []))
    return found


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid``, zombies included."""
    return [p for p, (ppid, _, _) in _process_table().items() if ppid == pid]


def signal_all(pids: Iterable[int], pgid: int | None, sig: int) -> None:
    """Send ``sig`` to the group ``pgid`` (when given), then to each of ``pids``; gone ones are skipped."""
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def kill_group(pgid: int) -> None:
    """SIGKILL a process group (a process started with ``start_new_session=True``: its pid)."""
    signal_all((), pgid, signal.SIGKILL)


def kill_tree(pgid: int | None) -> None:
    """SIGKILL the group ``pgid`` and every process below the calling one, and reap them.

    Meant for a subreaper (``become_subreaper``): whatever a scenario left,
    double-forked daemons included, is below us, so nothing survives.
    """
    if pgid is not None:
        kill_group(pgid)
    me = os.getpid()
    for _ in range(3):
        victims = list(descendants(me))
        if not victims:
            break
        signal_all(victims, None, signal.SIGKILL)
        reap_all()


def reap_all() -> None:
    """Collect exited children (for up to 2 s) until none is left."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if not children_of(os.getpid()):
                return
            time.sleep(0.01)


def stop_tree(process: subprocess.Popen, grace_s: float = 5.0) -> None:
    """SIGTERM ``process``'s group and every descendant, then SIGKILL what is left.

    ``process`` must have been started with ``start_new_session=True`` (its
    pid is its group). Workers that left the group are found through /proc.
    """
    pgid = process.pid
    tree = [process.pid, *descendants(process.pid)]
    signal_all(tree, pgid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    # workers may outlive the master briefly, or have left the group
    tree = list(dict.fromkeys(tree + list(descendants(process.pid))))
    signal_all(tree, pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)


def output_tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a process's output log ("" when it cannot be read)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])
