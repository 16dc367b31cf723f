"""Fixtures of the security suite: see suites/api/fixtures.py (shared with suites/api)."""

from __future__ import annotations

from suites.api.fixtures import idp, other_client, second_user, signed_in, site, user

__all__ = ["idp", "other_client", "second_user", "signed_in", "site", "user"]
