"""Fixtures for the backend's auth half: the fake IdP and store of auth_fakes.py, settings, app/client factories."""

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
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def settings() -> Settings:
    return load_settings(base_env())


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(idp: FakeIdp, store: FakeStore, settings: Settings) -> Iterator[AppFactory]:
    """`make_client(seams=..., settings=...)` → a TestClient on the app (no gateway), wired to the fakes."""
    clients: list[TestClient] = []

    def factory(*, seams: Seams | None = None, settings_: Settings | None = None, **seam_changes: Any) -> TestClient:
        wired = dataclasses.replace(
            seams or Seams(),
            **{
                "store_factory": lambda _s, _c: store,
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
