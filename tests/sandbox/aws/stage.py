"""The AWS-side sandbox tests' stage: the template, region, per-run test secrets and users, and the parameters of a
fresh stage (`parameters_for`, `fresh_stage`). Fixtures: conftest.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sandbox.aws.provision import Provisioned, TestUser

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
