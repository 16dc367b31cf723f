"""The signed-in caller as the data routes see it (SPEC §3.8): derived from a validated access token only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    sub: str
    email: str | None = None
    username: str | None = None
