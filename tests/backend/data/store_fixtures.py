"""The data half's test fixtures and helpers (exposed to its tests by conftest.py, reused by tests/backend/crm):
moto's in-process DynamoDB with the four tables of SPEC §4.1, the real store, and a TestClient on `create_app`
whose identity resolver returns whoever the test says is signed in.

`settings` (table names `hedgehog-learn-<table>-local`) is inherited from tests/backend/conftest.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from hhl_backend.app import create_app
from hhl_backend.config import Settings
from hhl_backend.content import Catalog, load_catalog
from hhl_backend.identity import Identity
from hhl_backend.seams import Seams
from hhl_backend.store import BOTO_CONFIG, Store, TableNames
from hhl_backend.store.schema import create_tables
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from starlette.requests import Request
from starlette.testclient import TestClient

REGION = "us-west-2"
API = "https://api.example.test"
LEARNER = Identity(sub="learner-1", email="ada@example.test", username="learner-1")


def table_names(settings: Settings) -> TableNames:
    return TableNames(settings.users_table, settings.enrollments_table, settings.progress_table, settings.badges_table)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no endpoint override, so nothing can ever reach a real account."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)


@pytest.fixture
def ddb(aws_env: None, settings: Settings) -> Iterator[Any]:
    """A DynamoDB client on moto with the four tables created."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION, config=BOTO_CONFIG)
        create_tables(client, table_names(settings))
        yield client


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each mocked AWS call atomic, as every real DynamoDB single-item operation is.

    moto's in-memory UpdateItem is itself a read-modify-write without a lock, so threads could lose updates
    inside moto and blame the code under test. Serialising whole calls keeps the interleaving *between* calls
    (which is what the store must survive) while restoring DynamoDB's per-call atomicity.
    """
    lock = threading.RLock()
    original = BotocoreStubber.__call__

    def locked(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", locked)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def store(ddb: Any, settings: Settings, catalog: Catalog) -> Store:  # overrides the auth half's FakeStore
    return Store(ddb, table_names(settings), catalog)


@dataclass
class Caller:
    """Who the identity resolver says is calling; tests switch it (None = anonymous)."""

    identity: Identity | None = LEARNER

    def resolve(self, request: Request) -> Identity | None:
        return self.identity


@pytest.fixture
def caller() -> Caller:
    return Caller()


@pytest.fixture
def api(store: Store, settings: Settings, caller: Caller) -> Iterator[TestClient]:
    """TestClient on the real `create_app`, with the moto store and the test's caller as identity."""
    seams = Seams(identity_resolver=caller.resolve, store_factory=lambda _settings, _catalog: store)
    with TestClient(create_app(settings, seams=seams), base_url=API) as client:
        yield client


def item(client: Any, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    """A raw item read back through the store's deserialiser (for asserting exact attributes)."""
    from hhl_backend.store.dynamo import from_item

    found = client.get_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True).get("Item")
    return from_item(found) if found else None
