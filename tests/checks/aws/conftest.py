"""Fixtures for the infra-check tests: a moto server (a child process) and the healthy reference stack collected."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sandbox.aws.moto_server import MotoHandle
from tests.checks.aws.stack import collect, deploy, env_for, ship_log_line
from tests.moto_child import moto

__all__ = ["healthy", "moto"]


@pytest.fixture(scope="session")
def healthy(moto: MotoHandle, tmp_path_factory: pytest.TempPathFactory) -> tuple[SimpleNamespace, dict[str, Any], Path]:
    """(env, collected sections, snapshot dir) of a healthy provisioned sandbox stack."""
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url)
    ship_log_line(moto.url, provisioned.log_group)
    out = tmp_path_factory.mktemp("aws")
    return env, collect(moto, env, out), out
