"""harness.net: ports and listening-socket inspection, which the runner's
loopback rule and the server helper stand on. No MLflow needed."""

from __future__ import annotations

import os
import socket

from harness import net


def test_free_port_moves_off_a_taken_port_and_keeps_a_free_one():
    with socket.socket() as holder:
        holder.bind((net.HOST, 0))
        holder.listen()
        taken = holder.getsockname()[1]
        assert not net.bind_check(taken)
        moved = net.free_port(preferred=taken)
        assert moved != taken and net.bind_check(moved)
    assert net.bind_check(taken)  # released: free again
    assert net.free_port(preferred=taken) == taken


def test_listening_sockets_finds_this_process_and_flags_non_loopback():
    with socket.socket() as good, socket.socket() as other:
        good.bind(("127.0.0.1", 0))
        good.listen()
        other.bind(("127.0.0.2", 0))
        other.listen()
        found = {l.port: l for l in net.listening_sockets([os.getpid()])}
        assert found[good.getsockname()[1]].loopback_only
        bad = found[other.getsockname()[1]]
        assert bad.host == "127.0.0.2" and not bad.loopback_only and bad.pid == os.getpid()
    assert net.listening_sockets([os.getpid()]) == []


def test_ipv6_loopback_is_allowed_and_decoded():
    assert net._decode_address("00000000000000000000000001000000:1F90") == ("::1", 8080)
    assert net._decode_address("0100007F:0050") == ("127.0.0.1", 80)
    assert net.Listener("::1", 1, 1).loopback_only and not net.Listener("0.0.0.0", 1, 1).loopback_only
