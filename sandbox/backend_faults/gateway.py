"""Defective replacement for the gateway's CORS decision: the `gateway.cors_wildcard` fault of SPEC §10."""

from __future__ import annotations

import dataclasses

from hhl_backend.seams import Seams


def any_origin(allowed: frozenset[str], origin: str) -> bool:
    """gateway.cors_wildcard: every Origin is echoed back, with credentials (a reflected wildcard)."""
    return True


def apply(seams: Seams, faults: frozenset[str]) -> Seams:
    if "gateway.cors_wildcard" in faults:
        return dataclasses.replace(seams, cors_origin_allowed=any_origin)
    return seams
