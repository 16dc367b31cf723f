"""The log group and the alarms (SPEC §6). Rules: checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.logs.group")
def test_log_group(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.logs.group", evidence)


@pytest.mark.check("infra.alarms.definitions")
def test_alarm_definitions(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.alarms.definitions", evidence)


@pytest.mark.check("infra.alarms.state")
def test_alarm_state(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.alarms.state", evidence)


@pytest.mark.check("infra.alarms.metrics_emitted")
def test_alarm_metrics_emitted(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.alarms.metrics_emitted", evidence)
