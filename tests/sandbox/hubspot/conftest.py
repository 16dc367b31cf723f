"""Fixtures for the HubSpot stand-in tests: a fresh app per test, driven in-process as the loopback peer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sandbox.hubspot import Clock, HubSpotContext, create_hubspot_app
from tests.sandbox.hubspot.standin_values import LOOPBACK, TOKEN


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Starlette:
    return create_hubspot_app(token=TOKEN, clock=clock)


@pytest.fixture
def ctx(app: Starlette) -> HubSpotContext:
    return app.state.hubspot


@pytest.fixture
def api(app: Starlette) -> Iterator[TestClient]:
    """A client with the right bearer token, from a loopback address (so it may call the hooks too)."""
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}, client=LOOPBACK) as client:
        yield client


@pytest.fixture
def anonymous(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, client=LOOPBACK) as client:
        yield client
