"""Port selection for the sandbox: free loopback ports by default, or a pinned block (`--port-base N`).

A free port is *held* from the moment it is chosen: the socket that found it stays bound until the server that
needs the port takes it (`take_reserved`) or its child process is about to bind it (`release`). A port merely
probed and closed could be taken meanwhile by another sandbox, or as the local port of any outgoing connection
(both come from the same ephemeral range), and the API server then failed with "address already in use"."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass


class PortInUseError(RuntimeError):
    """A pinned port is already taken; the message names it."""


@dataclass(frozen=True)
class Ports:
    site: int
    api: int
    idp: int
    hubspot: int
    aws: int


_reserved: dict[int, socket.socket] = {}
_reserved_lock = threading.Lock()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reserve_free_port() -> int:
    """A free loopback port, kept bound by this process until `take_reserved` or `release`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    with _reserved_lock:
        _reserved[port] = sock
    return port


def take_reserved(port: int) -> socket.socket | None:
    """The bound socket holding `port`, handed over to a server in this process (None: the port is not held)."""
    with _reserved_lock:
        return _reserved.pop(port, None)


def release(port: int) -> None:
    """Stop holding `port`, just before a child process binds it itself."""
    sock = take_reserved(port)
    if sock is not None:
        sock.close()


def ensure_free(port: int, role: str) -> None:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        # As the servers bind: a port whose last owner was killed has TIME_WAIT connections, not a listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise PortInUseError(f"port {port} ({role}) is already in use on 127.0.0.1") from exc


def choose_ports(port_base: int | None) -> Ports:
    """SPEC §1: N site, N+1 API, N+2 hosted UI, N+3 HubSpot; the moto server takes N+4 when pinned."""
    if port_base is None:
        return Ports(*sorted(reserve_free_port() for _ in range(5)))
    ports = Ports(port_base, port_base + 1, port_base + 2, port_base + 3, port_base + 4)
    for role, port in vars(ports).items():
        ensure_free(port, role)
    return ports
