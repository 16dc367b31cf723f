"""The backend auth half's fixtures (tests/backend/app_fixtures.py)."""

from __future__ import annotations

from tests.backend.app_fixtures import client, fake_store, idp, make_client, settings, store

__all__ = ["client", "fake_store", "idp", "make_client", "settings", "store"]
