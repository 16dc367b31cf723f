"""Fixtures for the hosted-UI stand-in tests: moto with a provisioned pool, and the stand-in on real uvicorn."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.aws.moto_server import MotoHandle
from sandbox.idp import create_idp_app, generate_signing_key
from sandbox.ports import free_port
from sandbox.servers import START_TIMEOUT_S, ThreadedServer
from tests.moto_child import moto  # the shared fixture, for this directory
from tests.sandbox.idp.idp_flow import IdpDriver, Pool
from tests.sandbox.idp.idp_pool import REGION, provision_pool

__all__ = ["driver", "idp_app", "moto", "pool", "shared_signing_key"]


@pytest.fixture(scope="module")
def pool(moto: MotoHandle) -> Pool:
    return provision_pool(moto)


@pytest.fixture(scope="session")
def shared_signing_key():
    """One RSA key for all tests (generation is the slow part of starting a stand-in)."""
    return generate_signing_key()


@pytest.fixture
def idp_app(moto: MotoHandle, pool: Pool, shared_signing_key) -> tuple[Starlette, str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_idp_app(
        aws_endpoint_url=moto.url,
        region=REGION,
        user_pool_id=pool.pool_id,
        public_base_url=base_url,
        faults=frozenset({"idp.jwks_unreachable", "no.such_fault"}),
        signing_key=shared_signing_key,
    )
    return app, base_url


@pytest.fixture
def driver(idp_app: tuple[Starlette, str], pool: Pool) -> Iterator[IdpDriver]:
    """A fresh stand-in (own state) on real uvicorn, and a cookie-keeping client that follows no redirect."""
    app, base_url = idp_app
    server = ThreadedServer("hosted-ui-test", app, int(base_url.rsplit(":", 1)[1]))
    server.start()
    try:
        server.wait_started(time.monotonic() + START_TIMEOUT_S)
        with httpx.Client(base_url=base_url, follow_redirects=False, timeout=10) as http:
            yield IdpDriver(base_url=base_url, pool=pool, http=http)
    finally:
        server.stop()
