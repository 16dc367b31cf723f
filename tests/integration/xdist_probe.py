"""`-p tests.integration.xdist_probe`: each xdist worker writes what the gate's GroupedScheduling will read for its
node ids (checks.users.read_groups) to `$HHL_XDIST_PROBE_DIR/<worker>.json`, then deselects everything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checks.plugin.state import run_state
from checks.users import read_groups


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        groups = read_groups(run_state(config).shared_dir)
        seen = {item.nodeid: groups.get(item.nodeid) for item in items}
        Path(os.environ["HHL_XDIST_PROBE_DIR"], f"{worker}.json").write_text(json.dumps(seen))
    config.hook.pytest_deselected(items=list(items))
    items.clear()
