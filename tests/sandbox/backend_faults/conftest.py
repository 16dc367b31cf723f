"""The fault tests' fixtures: the backend auth half's (fake IdP and store, make_client) and the data half's (moto's
in-process DynamoDB, the real store, a caller). `make_client` uses `fake_store`, so `store` here is the real one."""

from __future__ import annotations

from tests.backend.app_fixtures import fake_store, idp, make_client, settings
from tests.backend.data.store_fixtures import api, aws_env, caller, catalog, ddb, store

__all__ = ["api", "aws_env", "caller", "catalog", "ddb", "fake_store", "idp", "make_client", "settings", "store"]
