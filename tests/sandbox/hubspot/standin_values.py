"""The HubSpot stand-in tests' fixed values (its bearer token for these tests, a loopback client address)."""

from __future__ import annotations

TOKEN = "pat-test-0123456789abcdef"  # not a secret: the stand-in's bearer for these tests only
LOOPBACK = ("127.0.0.1", 50000)
