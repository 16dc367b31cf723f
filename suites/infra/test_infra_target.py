"""Target identity and stack state (SPEC §10 infra.target.*, infra.cfn.*). Rules: checks/aws/rules/."""

from __future__ import annotations

import pytest

from checks.aws import InfraSnapshot, verify
from checks.evidence import Evidence


@pytest.mark.check("infra.target.account_region")
def test_account_region(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.target.account_region", evidence)


@pytest.mark.check("infra.cfn.stack_status")
def test_stack_status(infra: InfraSnapshot, evidence: Evidence) -> None:
    verify(infra, "infra.cfn.stack_status", evidence)
