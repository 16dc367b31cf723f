"""Operational hygiene read from AWS: alarm actions, dashboard, declared sizing, least privilege.

Rules: checks/aws/rules/ops.py."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("security.ops.alarm_actions")
def test_alarm_actions(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "security.ops.alarm_actions", evidence)


@pytest.mark.check("security.ops.dashboard")
def test_dashboard(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "security.ops.dashboard", evidence)


@pytest.mark.check("security.ops.explicit_memory_timeout")
def test_explicit_memory_timeout(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "security.ops.explicit_memory_timeout", evidence)


@pytest.mark.check("security.iam.least_privilege")
def test_least_privilege(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "security.iam.least_privilege", evidence)
