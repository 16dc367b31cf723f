"""Defective replacement for the gateway's CORS decision: the `gateway.cors_wildcard` fault of SPEC §10."""

from __future__ import annotations


def any_origin(allowed: frozenset[str], origin: str) -> bool:
    """gateway.cors_wildcard: every Origin is echoed back, with credentials (a reflected wildcard)."""
    return True
