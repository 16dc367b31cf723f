"""Port selection for the sandbox: free loopback ports by default, or a pinned block (`--port-base N`)."""

from __future__ import annotations

import contextlib
import socket
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


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        chosen: set[int] = set()
        while len(chosen) < 5:
            chosen.add(free_port())
        return Ports(*sorted(chosen))
    ports = Ports(port_base, port_base + 1, port_base + 2, port_base + 3, port_base + 4)
    for role, port in vars(ports).items():
        ensure_free(port, role)
    return ports
