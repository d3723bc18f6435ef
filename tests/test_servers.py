"""harness.servers with a stand-in server (Python's http.server): start, health,
port races, and that the whole process tree is gone afterwards."""

from __future__ import annotations

import os
import socket
import sys
import time

import pytest

from harness import procs, servers


def _http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_server_starts_answers_and_its_whole_tree_stops(tmp_path):
    # a shell that starts the server as a grandchild and waits: stop must reach both
    def command(port: int) -> list[str]:
        return ["sh", "-c", " ".join(_http_server(port)) + " & wait"]

    with servers.running(command, health_path="/", timeout=30, cwd=tmp_path) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.startup_s > 0
        tree = [server.process.pid, *procs.descendants(server.process.pid)]
        assert len(tree) >= 2
        assert servers.owns_port(server.process.pid, server.port) is True
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in tree)


def test_a_server_that_exits_raises_with_its_output(tmp_path):
    def command(port: int) -> list[str]:
        return [sys.executable, "-c", "import sys; print('boom: no model'); sys.exit(3)"]

    with pytest.raises(servers.ServerError, match="(?s)exited with code 3.*boom: no model"):
        servers.start(command, health_path="/", timeout=30, cwd=tmp_path)


def test_a_port_taken_before_the_server_binds_is_replaced(tmp_path):
    thief = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ports: list[int] = []

    def command(port: int) -> list[str]:
        ports.append(port)
        if len(ports) == 1:  # another process wins the race for the first port
            thief.bind(("127.0.0.1", port))
            thief.listen()
        return _http_server(port)

    try:
        with servers.running(command, health_path="/", timeout=30, cwd=tmp_path) as server:
            assert len(ports) == 2 and server.port == ports[1] != ports[0]
    finally:
        thief.close()


def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path):
    def command(port: int) -> list[str]:
        return [sys.executable, "-c", "import time; time.sleep(60)"]

    started = time.monotonic()
    with pytest.raises(servers.ServerError, match="did not answer / within 1s"):
        servers.start(command, health_path="/", timeout=1, cwd=tmp_path)
    assert time.monotonic() - started < 20
