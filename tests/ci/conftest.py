"""The CI tests reuse the gate plugin tests' pytester gate and loopback target (tests/checks/gate_project.py)."""

from __future__ import annotations

from tests.checks.gate_project import api_server, gate, serve

__all__ = ["api_server", "gate", "serve"]
