"""Start-up failures of the sandbox composition end in one clear message (no half-started sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import compose
from sandbox.ports import PortInUseError, choose_ports, ensure_free


def test_missing_package_zip_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(compose, "DIST_DIR", tmp_path)
    with pytest.raises(compose.SandboxStartError, match="run `make package` first"):
        compose.latest_package_zip()


def test_start_fails_cleanly_without_a_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(compose, "DIST_DIR", tmp_path)
    ports = choose_ports(None)
    with pytest.raises(compose.SandboxStartError, match="no Lambda package"):
        compose.start_sandbox(ports, frozenset())
    for role, port in vars(ports).items():
        ensure_free(port, role)  # nothing was left listening


def test_pinned_ports_in_use_are_named() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} \\(site\\)"):
            choose_ports(port)
