"""Unit tests of the pieces the runner's fault handling stands on: ports,
listening-socket inspection, secret redaction. No MLflow needed."""

from __future__ import annotations

import os
import socket

from harness import net, runner


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


def test_redact_secrets_replaces_secret_looking_values_everywhere():
    env = {"MY_API_TOKEN": 'ab"c\\def-123', "DB_PASSWORD": "hunter2-long", "PATH": "/usr/bin:/bin", "SHORT_KEY": "abc"}
    data = {"error": {"message": 'token ab"c\\def-123 refused'}, "reason": ["pw hunter2-long", "/usr/bin:/bin"],
            "n": 1, "k": "abc"}
    clean = runner.redact_secrets(data, env)
    assert clean == {"error": {"message": "token <redacted:MY_API_TOKEN> refused"},
                     "reason": ["pw <redacted:DB_PASSWORD>", "/usr/bin:/bin"], "n": 1, "k": "abc"}


def test_redaction_touches_strings_only():
    env = {"PIN_SECRET": "123456"}
    data = {"duration_s": 0.123456, "pid": 123456, "message": "pin 123456", "123456": [1, "x123456"]}
    assert runner.redact_secrets(data, env) == {
        "duration_s": 0.123456, "pid": 123456, "message": "pin <redacted:PIN_SECRET>",
        "<redacted:PIN_SECRET>": [1, "x<redacted:PIN_SECRET>"],
    }
