"""The data half's fixtures (tests/backend/data/store_fixtures.py)."""

from __future__ import annotations

from tests.backend.data.store_fixtures import api, atomic_moto, aws_env, caller, catalog, ddb, store

__all__ = ["api", "atomic_moto", "aws_env", "caller", "catalog", "ddb", "store"]
