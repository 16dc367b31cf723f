"""The API function: configuration, environment variable names, the `live` alias, rollback readiness. Rules:
checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.lambda.config")
def test_lambda_config(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.lambda.config", evidence)


@pytest.mark.check("infra.lambda.env_vars")
def test_lambda_env_vars(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.lambda.env_vars", evidence)


@pytest.mark.check("infra.lambda.alias_live")
def test_lambda_alias_live(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.lambda.alias_live", evidence)


@pytest.mark.check("infra.lambda.rollback_ready")
def test_lambda_rollback_ready(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.lambda.rollback_ready", evidence)
