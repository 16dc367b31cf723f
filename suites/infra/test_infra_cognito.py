"""The Cognito pool, app client and hosted-UI domain. Rules: checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.cognito.pool")
def test_pool(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.cognito.pool", evidence)


@pytest.mark.check("infra.cognito.client")
def test_client(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.cognito.client", evidence)


@pytest.mark.check("infra.cognito.domain")
def test_domain(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.cognito.domain", evidence)
