"""The HTTP API: routes, integration, stage, CORS and throttling. Rules: checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.apigw.routes")
def test_routes(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.apigw.routes", evidence)


@pytest.mark.check("infra.apigw.cors_and_throttle")
def test_cors_and_throttle(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.apigw.cors_and_throttle", evidence)
