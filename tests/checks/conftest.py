"""The gate plugin's tests get the loopback targets and the pytester gate project (tests/checks/gate_project.py)."""

from __future__ import annotations

from tests.checks.gate_project import api_server, gate, serve

__all__ = ["api_server", "gate", "serve"]
