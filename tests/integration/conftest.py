"""Scheduling of the integration tier (`-n 2 --dist loadgroup`): the tests that share a module-scoped fixture (one
harness run or sandbox, read by several tests) are one group, so one worker; every other test is its own unit; the
units are queued longest first, so the many short fault-matrix runs fill in at the end on whichever worker is free.

pytest 9 ignores the node-id suffix by which xdist's own `xdist_group` marker works, so the groups go the way the
gate's are published: a map per worker in the run's shared directory, read by the gate's GroupedScheduling (the
controller's scheduler under `--dist load`/`loadgroup`, checks/users.py), which keeps collection order.
"""

from __future__ import annotations

import os

import pytest

from checks.plugin.state import RUN_STATE, run_state
from checks.users import write_groups
from tests.integration.schedule import order_longest_first, shared_fixture_group


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = order_longest_first(items)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and RUN_STATE in config.stash:
        groups = {item.nodeid: group for item in items if (group := shared_fixture_group(item))}
        # its own file beside the gate's (`xdist-groups-<worker>.json`, which the gate rewrites for check items)
        write_groups(run_state(config).shared_dir, f"{worker}-integration", groups)
