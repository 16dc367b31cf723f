"""The harness tests' pytester gate and loopback target, reused by the CI tests."""

from __future__ import annotations

from tests.harness.conftest import api_server, gate, serve

__all__ = ["api_server", "gate", "serve"]
