"""The backend auth half's fixtures (exposed by tests/backend/conftest.py and tests/sandbox/backend_faults): the fake
IdP and store of auth_fakes.py, settings, app/client factories."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hhl_backend.app import create_app
from hhl_backend.config import Settings, load_settings
from hhl_backend.seams import Seams
from starlette.testclient import TestClient

from tests.backend.auth_fakes import API, FakeIdp, FakeStore, base_env


@pytest.fixture
def idp() -> FakeIdp:
    return FakeIdp()


@pytest.fixture
def fake_store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def store(fake_store: FakeStore) -> FakeStore:
    # A name of its own for make_client's store: a directory may override `store` with the real one (data half).
    return fake_store


@pytest.fixture
def settings() -> Settings:
    return load_settings(base_env())


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(idp: FakeIdp, fake_store: FakeStore, settings: Settings) -> Iterator[AppFactory]:
    """`make_client(seams=..., settings=...)` → a TestClient on the app (no gateway), wired to the fakes."""
    clients: list[TestClient] = []

    def factory(*, seams: Seams | None = None, settings_: Settings | None = None, **seam_changes: Any) -> TestClient:
        wired = dataclasses.replace(
            seams or Seams(),
            **{
                "store_factory": lambda _s, _c: fake_store,
                "http_transport": httpx.MockTransport(idp.handle),
                **seam_changes,
            },
        )
        client = TestClient(create_app(settings_ or settings, seams=wired), base_url=API, follow_redirects=False)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: AppFactory) -> TestClient:
    return make_client()


__all__ = ["AppFactory", "client", "fake_store", "idp", "make_client", "settings", "store"]
