"""Start a real server process on 127.0.0.1, wait until it is healthy, always stop it.

Used for ``mlflow models serve`` (the scoring-server scenario) and for
``mlflow server`` (client/server skew tests)::

    cmd = lambda port: [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, health_path="/health") as server:
        requests.get(server.url + "/health")

The command is built for a port picked free just before start; if that port is
taken by the time the server binds (another process won the race), the server
exits or the port answers for someone else, and a new port is tried. The whole
process tree (workers included, even ones that left the process group) is
stopped on exit, also when the body raises. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The server did not become healthy; the message ends with its output's tail."""


@dataclass
class Server:
    """A started server: where it listens and how long it took to answer."""

    process: subprocess.Popen
    port: int
    url: str
    startup_s: float
    log_path: Path

    def output_tail(self, lines: int = 20) -> str:
        return _tail(self.log_path, lines)

    def stop(self, grace_s: float = 5.0) -> None:
        stop_tree(self.process, grace_s)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*:")


def _tail(path: Path, lines: int = 20) -> str:
    """The log's last lines, led by its first exception line when that scrolled off.

    A server launched by a CLI often dies inside a child (uvicorn, gunicorn)
    whose traceback is followed by the CLI's own; the first is the cause.
    """
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    all_lines = text.strip().splitlines()
    tail = all_lines[-lines:]
    first = next((line for line in all_lines if _EXCEPTION_LINE.match(line)), None)
    if first is not None and first not in tail:
        tail = [f"first error: {first}", "...", *tail]
    return "\n".join(tail)


# -- process tree --------------------------------------------------------------
def _children(pid: int) -> list[int]:
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # comm may contain spaces/parens
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc; empty elsewhere)."""
    stack, found = _children(pid), []
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(_children(child))
    return found


def _signal_all(pids: Sequence[int], pgid: int | None, sig: int) -> None:
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_tree(process: subprocess.Popen, grace_s: float = 5.0) -> None:
    """SIGTERM the process group and every descendant, then SIGKILL what is left."""
    pgid = process.pid  # started with start_new_session=True: its own group
    tree = [process.pid, *descendants(process.pid)]
    _signal_all(tree, pgid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    # workers may outlive the master briefly, or have left the group
    tree = list(dict.fromkeys(tree + descendants(process.pid)))
    _signal_all(tree, pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)


# -- health ------------------------------------------------------------------
def _healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


def _listening_inodes(port: int) -> set[str]:
    """Inodes of sockets listening on ``port`` (IPv4/IPv6), from /proc/net."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(inode)
    return inodes


def owns_port(pid: int, port: int) -> bool | None:
    """Does ``pid`` or a descendant hold the listening socket? None when unknowable."""
    inodes = _listening_inodes(port)
    if not Path("/proc/net/tcp").exists():
        return None
    if not inodes:
        return False
    for member in [pid, *descendants(pid)]:
        fd_dir = Path(f"/proc/{member}/fd")
        try:
            fds = list(fd_dir.iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return True
    return False


def start(
    command: Callable[[int], Sequence[str]],
    *,
    health_path: str = "/",
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    log_path: str | Path | None = None,
    attempts: int = 3,
) -> Server:
    """Start ``command(port)`` and return once ``health_path`` answers 2xx.

    Raises ``ServerError`` (after stopping the process tree) when the server
    exits or does not become healthy within ``timeout`` seconds. A start that
    lost its port to another process is retried on a new port, up to
    ``attempts`` times.
    """
    log = Path(log_path) if log_path else Path(cwd or ".") / "server.log"
    last_error = ""
    for _ in range(max(1, attempts)):
        port = free_port()
        url = f"http://{HOST}:{port}"
        with open(log, "ab") as out:
            began = time.perf_counter()
            process = subprocess.Popen(
                list(command(port)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )
        try:
            deadline = began + timeout
            while True:
                if _healthy(url + health_path):
                    owner = owns_port(process.pid, port)
                    if process.poll() is None and owner is not False:
                        return Server(process, port, url, time.perf_counter() - began, log)
                    # someone else answers on this port: ours lost the race
                    last_error = f"port {port} was taken by another process"
                    break
                if process.poll() is not None:
                    last_error = f"server exited with code {process.returncode} before {health_path} answered"
                    if not _port_lost(port):
                        raise ServerError(f"{last_error}:\n{_tail(log)}")
                    break
                if time.perf_counter() > deadline:
                    raise ServerError(
                        f"server did not answer {health_path} within {timeout:g}s:\n{_tail(log)}"
                    )
                time.sleep(0.2)
        except BaseException:
            stop_tree(process)
            raise
        stop_tree(process)
    raise ServerError(f"{last_error} (gave up after {attempts} ports):\n{_tail(log)}")


def _port_lost(port: int) -> bool:
    """Is the port now held by someone (so our server probably failed to bind)?"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a TIME_WAIT left by our own health checks is not "taken"
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


@contextlib.contextmanager
def running(command: Callable[[int], Sequence[str]], **kwargs) -> Iterator[Server]:
    """``start`` as a context manager: the process tree is stopped on exit, always."""
    server = start(command, **kwargs)
    try:
        yield server
    finally:
        server.stop()
