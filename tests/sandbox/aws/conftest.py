"""Fixtures for the AWS-side sandbox tests: one moto server per session, a fresh stage per provisioning.

moto keeps its state per process, so isolation comes from names: every provisioning gets its own stage (and so its
own tables, pool, function, API ...), never from resetting moto under other tests' feet.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.aws.context import client_for
from sandbox.aws.moto_server import MotoHandle
from sandbox.aws.provision import Provisioned, TestUser, provision
from tests.moto_child import moto  # the shared fixture, for this directory

__all__ = ["aws", "healthy", "moto", "provision_stage"]

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "backend" / "template.yaml"
REGION = "us-west-2"
# Per-run test secrets; the values only need to satisfy the template's and the pool's rules.
COOKIE_SECRET = "c2FuZGJveC10ZXN0LWNvb2tpZS1zZWNyZXQtMzItYnl0ZXM="
CRM_TOKEN = "pat-test-" + uuid.uuid4().hex  # the HubSpot stand-in's bearer token in these tests
USERS = (
    TestUser("learner-one@example.com", "Hh1-" + uuid.uuid4().hex, given_name="Ada", family_name="Lovelace"),
    TestUser("learner-two@example.com", "Hh1-" + uuid.uuid4().hex),
)

Provisioner = Callable[..., Provisioned]


def parameters_for(stage: str, **overrides: str) -> dict[str, str]:
    return {
        "Stage": stage,
        "SiteBaseUrl": "http://localhost:8400",
        "CorsOrigins": "http://localhost:8400",
        "CognitoDomainPrefix": f"hedgehog-learn-{stage}",
        "CallbackUrls": "http://localhost:8401/auth/callback,http://localhost:8400/auth/callback",
        "LogoutUrls": "http://localhost:8400/learn,http://localhost:8400/",
        "AuthCookieSecret": COOKIE_SECRET,
        "CodeS3Bucket": f"hedgehog-learn-{stage}-code",
        "CodeS3Key": "hhl_backend-test.zip",
        **overrides,
    }


def fresh_stage() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def aws(moto: MotoHandle) -> Callable[[str], Any]:
    """`aws("dynamodb")`: a boto3 client on the test moto (dummy credentials)."""
    return lambda service: client_for(moto.url, REGION, service)


@pytest.fixture(scope="session")
def provision_stage(moto: MotoHandle) -> Provisioner:
    """Provision the template into a new stage: `provision_stage(faults=..., **parameter_overrides)`."""

    def run(*, faults: frozenset[str] = frozenset(), stage: str | None = None, **overrides: str) -> Provisioned:
        stage = stage or fresh_stage()
        return provision(
            TEMPLATE,
            endpoint_url=moto.url,
            region=REGION,
            stage=stage,
            parameters=parameters_for(stage, **overrides),
            faults=faults,
            users=USERS,
            crm_token=CRM_TOKEN,
        )

    return run


@pytest.fixture(scope="session")
def healthy(provision_stage: Provisioner) -> Provisioned:
    """One fault-free provisioning shared by the read-only tests."""
    return provision_stage()
