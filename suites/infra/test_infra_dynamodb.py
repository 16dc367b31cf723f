"""The four DynamoDB tables (SPEC §4.1). Rules: checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.dynamodb.tables")
def test_tables(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.dynamodb.tables", evidence)


@pytest.mark.check("infra.dynamodb.streams")
def test_streams(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.dynamodb.streams", evidence)


@pytest.mark.check("infra.dynamodb.pitr_enabled")
def test_pitr_enabled(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.dynamodb.pitr_enabled", evidence)


@pytest.mark.check("infra.dynamodb.sse_enabled")
def test_sse_enabled(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.dynamodb.sse_enabled", evidence)


@pytest.mark.check("infra.dynamodb.billing_tags_protection")
def test_billing_tags_protection(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.dynamodb.billing_tags_protection", evidence)
