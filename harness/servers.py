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
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from harness import net, procs
from harness.net import HOST


class ServerError(RuntimeError):
    """The server did not become healthy; the message ends with its output's tail.

    ``reason`` is the message's first line (why), ``tail`` the output's tail.
    """

    def __init__(self, reason: str, tail: str = "") -> None:
        super().__init__(f"{reason}:\n{tail}")
        self.reason = reason
        self.tail = tail


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
        procs.stop_tree(self.process, grace_s)


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


# -- health ------------------------------------------------------------------
def _healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


def owns_port(pid: int, port: int) -> bool | None:
    """Does ``pid`` or a descendant hold the listening socket? None when unknowable."""
    return net.holds_port([pid, *procs.descendants(pid)], port)


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
        port = net.free_port()
        url = f"http://{HOST}:{port}"
        began = time.perf_counter()
        process = procs.spawn(command(port), log=log, cwd=cwd, env=env)
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
                    if net.bind_check(port):  # still free: ours failed on its own
                        raise ServerError(last_error, _tail(log))
                    break
                if time.perf_counter() > deadline:
                    raise ServerError(f"server did not answer {health_path} within {timeout:g}s", _tail(log))
                time.sleep(0.2)
        except BaseException:
            procs.stop_tree(process)
            raise
        procs.stop_tree(process)
    raise ServerError(f"{last_error} (gave up after {attempts} ports)", _tail(log))


@contextlib.contextmanager
def running(command: Callable[[int], Sequence[str]], **kwargs) -> Iterator[Server]:
    """``start`` as a context manager: the process tree is stopped on exit, always."""
    server = start(command, **kwargs)
    try:
        yield server
    finally:
        server.stop()
