"""Operational hygiene read from AWS: alarm actions, dashboard, declared sizing, least privilege.

Rules: checks/aws/rules/ops.py."""

from __future__ import annotations

import pytest

from checks.aws import verify


@pytest.mark.check("security.ops.alarm_actions")
def test_alarm_actions(infra, evidence):
    verify(infra, "security.ops.alarm_actions", evidence)


@pytest.mark.check("security.ops.dashboard")
def test_dashboard(infra, evidence):
    verify(infra, "security.ops.dashboard", evidence)


@pytest.mark.check("security.ops.explicit_memory_timeout")
def test_explicit_memory_timeout(infra, evidence):
    verify(infra, "security.ops.explicit_memory_timeout", evidence)


@pytest.mark.check("security.iam.least_privilege")
def test_least_privilege(infra, evidence):
    verify(infra, "security.iam.least_privilege", evidence)
