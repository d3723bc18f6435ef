"""Ports and listening sockets: where scenario servers may bind, and what they did bind.

Scenario servers bind 127.0.0.1 only. ``free_port`` picks a port for one,
``bind_check`` says whether a port can be bound right now, and
``listening_sockets`` reads ``/proc`` to list the TCP sockets a set of
processes is listening on, so the runner can enforce the loopback rule and
check that nothing is left bound when a scenario ends, and ``holds_port``
tells ``harness.servers`` whether the server it started is the one answering
on its port. Standard library only.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

HOST = "127.0.0.1"
#: the only addresses a scenario may listen on
ALLOWED_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp{,6}


def bind_check(port: int, host: str = HOST) -> bool:
    """True when ``host:port`` can be bound (and listened on) right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR, as every server sets it: TIME_WAIT left by closed
        # connections does not make a port "taken", a listener does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen(1)
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None, host: str = HOST) -> int:
    """``preferred`` when it can be bound on ``host``, else a port the OS says is free.

    The port is free when this returns; a server started on it may still lose
    a race with another process, so a server helper should retry on failure.
    """
    if preferred and bind_check(preferred, host):
        return preferred
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Listener:
    """A listening TCP socket and the process holding it."""

    host: str
    port: int
    pid: int

    @property
    def loopback_only(self) -> bool:
        return self.host in ALLOWED_HOSTS

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port} (pid {self.pid})"


def _decode_address(hex_addr: str) -> tuple[str, int]:
    """``0100007F:1F90`` -> ('127.0.0.1', 8080); IPv6 words are little-endian too."""
    addr, port = hex_addr.split(":")
    raw = bytes.fromhex(addr)
    if len(raw) == 4:
        host = str(ipaddress.IPv4Address(raw[::-1]))
    else:
        words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
        host = str(ipaddress.IPv6Address(words))
    return host, int(port, 16)


def exposed_inodes(proc: Path = Path("/proc")) -> set[int]:
    """Socket inodes listening beyond the allowed hosts, machine-wide (cheap: two small files)."""
    return {inode for inode, (host, _) in _listening_inodes(proc).items() if host not in ALLOWED_HOSTS}


def _listening_inodes(proc: Path) -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN:
                try:
                    found[int(fields[9])] = _decode_address(fields[1])
                except ValueError:
                    continue
    return found


def listening_sockets(
    pids: Iterable[int], proc: Path = Path("/proc"), port: int | None = None
) -> list[Listener]:
    """TCP sockets in LISTEN state held by any of ``pids`` (empty without /proc),
    only those on ``port`` when it is given."""
    pids = list(pids)
    if not pids:
        return []
    inodes = _listening_inodes(proc)
    if port is not None:
        inodes = {inode: where for inode, where in inodes.items() if where[1] == port}
    if not inodes:
        return []
    found = []
    for pid in pids:
        fd_dir = proc / str(pid) / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = int(target[8:-1])
                if inode in inodes:
                    host, port = inodes[inode]
                    found.append(Listener(host, port, pid))
    return sorted(set(found), key=lambda l: (l.port, l.pid))


def holds_port(pids: Iterable[int], port: int, proc: Path = Path("/proc")) -> bool | None:
    """Does any of ``pids`` listen on ``port`` (any address)? None when /proc/net/tcp is unreadable."""
    if not (proc / "net" / "tcp").exists():
        return None
    return bool(listening_sockets(pids, proc, port))
