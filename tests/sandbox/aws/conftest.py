"""Fixtures for the AWS-side sandbox tests: one moto server per session, a fresh stage per provisioning.

moto keeps its state per process, so isolation comes from names: every provisioning gets its own stage (and so its
own tables, pool, function, API ...), never from resetting moto under other tests' feet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.aws.context import client_for
from sandbox.aws.moto_server import MotoHandle
from sandbox.aws.provision import Provisioned, provision
from tests.moto_child import moto  # the shared fixture, for this directory
from tests.sandbox.aws.stage import (
    CRM_TOKEN,
    REGION,
    TEMPLATE,
    USERS,
    Provisioner,
    fresh_stage,
    parameters_for,
)

__all__ = ["aws", "healthy", "moto", "provision_stage"]


@pytest.fixture(scope="session")
def aws(moto: MotoHandle) -> Callable[[str], Any]:
    """`aws("dynamodb")`: a boto3 client on the test moto (dummy credentials)."""
    return lambda service: client_for(moto.url, REGION, service)


@pytest.fixture(scope="session")
def provision_stage(moto: MotoHandle) -> Provisioner:
    """Provision the template into a new stage: `provision_stage(faults=..., **parameter_overrides)`."""

    def run(*, faults: frozenset[str] = frozenset(), stage: str | None = None, **overrides: str) -> Provisioned:
        stage = stage or fresh_stage()
        return provision(
            TEMPLATE,
            endpoint_url=moto.url,
            region=REGION,
            stage=stage,
            parameters=parameters_for(stage, **overrides),
            faults=faults,
            users=USERS,
            crm_token=CRM_TOKEN,
        )

    return run


@pytest.fixture(scope="session")
def healthy(provision_stage: Provisioner) -> Provisioned:
    """One fault-free provisioning shared by the read-only tests."""
    return provision_stage()
