"""The project tests' one moto fixture: a moto server in a child process (sandbox/aws/moto_process.py, the one the
sandbox runs), per pytest worker and per test directory that imports it into its conftest. In a child process,
neither an in-process `mock_aws()` (the backend's unit tests, which may share the worker) nor a `reset()` of
another directory's server can wipe it, so every test directory can run in one pytest process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.aws.moto_process import start_moto_process
from sandbox.aws.moto_server import MotoHandle


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoHandle]:
    handle = start_moto_process(0)
    yield handle
    handle.stop()


__all__ = ["moto"]
