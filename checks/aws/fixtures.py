"""pytest plugin: the `aws` (read-only boto3 session) and `infra` (collected snapshot) session fixtures.

Register with `pytest_plugins = ["checks.aws.fixtures"]` in the root conftest. Both rely on the core's `env` and
`run_dir` fixtures. Snapshots land in `<run_dir>/evidence/_aws/<service>.json`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.aws.session import ReadOnlyAws
from checks.aws.snapshot import InfraSnapshot
from environments import Environment

__all__ = ["aws", "infra", "make_aws", "snapshot_dir"]


def make_aws(env: Environment) -> ReadOnlyAws:
    """The read-only session for an environment (the moto endpoint locally, the profile on AWS)."""
    # env.profile names the known-deviation profile (SPEC §1), not an AWS one: credentials come from the process
    # environment (AWS_PROFILE, ...), as boto3 finds them.
    # A loaded env always has a region (aws: required at load; local: the sandbox state's); unset is the clear error.
    region = env.region if env.region is not None else env.required("region")
    return ReadOnlyAws(region=region, endpoint_url=env.aws_endpoint_url)


def snapshot_dir(run_dir: Path) -> Path:
    return Path(run_dir) / "evidence" / "_aws"


@pytest.fixture(scope="session")
def aws(env: Environment) -> ReadOnlyAws:
    """Read-only boto3 access: `aws.client("dynamodb")`; any non-Describe/Get/List call raises ReadOnlyViolation."""
    return make_aws(env)


@pytest.fixture(scope="session")
def infra(aws: ReadOnlyAws, env: Environment, run_dir: Path) -> Iterator[InfraSnapshot]:
    """The AWS snapshot: every service described once, concurrently, on first use."""
    snapshot = InfraSnapshot(aws, env, out_dir=snapshot_dir(run_dir))
    yield snapshot
    snapshot.close()
