"""The CRM consumer's infrastructure (SPEC §6 "Second wave"): function, stream mappings, DLQ, alarms, token by
reference. Not applicable while the env switches the CRM off (`crm.enabled: false`).
Rules: checks/aws/rules/crmsync.py."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence
from environments import Environment


@pytest.fixture
def crm_infra(infra: InfraSnapshot, env: Environment) -> InfraSnapshot:
    """The snapshot, for an env whose CRM sync is on; skipped (not applicable) otherwise."""
    if not env.crm.enabled:
        pytest.skip("not applicable: env crm.enabled is false")
    return infra


@pytest.mark.check("infra.crmsync.function")
def test_crmsync_function(crm_infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(crm_infra, "infra.crmsync.function", evidence)


@pytest.mark.check("infra.crmsync.mappings")
def test_crmsync_mappings(crm_infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(crm_infra, "infra.crmsync.mappings", evidence)


@pytest.mark.check("infra.crmsync.dlq")
def test_crmsync_dlq(crm_infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(crm_infra, "infra.crmsync.dlq", evidence)


@pytest.mark.check("infra.crmsync.alarms")
def test_crmsync_alarms(crm_infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(crm_infra, "infra.crmsync.alarms", evidence)


@pytest.mark.check("infra.crmsync.token_by_reference")
def test_crmsync_token_by_reference(crm_infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(crm_infra, "infra.crmsync.token_by_reference", evidence)
