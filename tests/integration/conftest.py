"""Scheduling of the integration tier (`-n 2 --dist loadgroup`): the tests that share a module-scoped fixture (one
harness run or sandbox, read by several tests) are one xdist group, so one worker; every other test is its own unit;
the units are queued longest first, so the many short fault-matrix runs fill in at the end on whichever worker is free.
"""

from __future__ import annotations

import pytest

from tests.integration.schedule import order_longest_first, shared_fixture_group


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Without xdist (`-p no:xdist`) its marker is not registered, and an unknown marker is an error (pytest.ini).
    if config.pluginmanager.hasplugin("xdist"):
        for item in items:
            group = shared_fixture_group(item)
            if group:
                item.add_marker(pytest.mark.xdist_group(group))
    items[:] = order_longest_first(items)
