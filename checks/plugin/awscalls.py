"""`aws-calls.json`: every AWS call the run made (names and counts, checks.aws.calls), in its run directory.

Each item's calls are attributed to its check; each xdist worker leaves its calls in the run's shared directory at
its session end, and the controller merges them with its own before the run's manifest is built (so the gate
verifies the file like any other artifact)."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from checks.aws.calls import CALLS_NAME, RECORDER, merge_rows, read_calls, write_calls
from checks.plugin.state import ITEM_CHECK, RUN_STATE

_PART_DIR = "aws-calls"  # <shared_dir>/aws-calls/<worker>.json


def _process() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    check = item.stash.get(ITEM_CHECK, None)
    if check is None:
        return (yield)
    with RECORDER.within(check.spec.writes, check.spec.id):
        return (yield)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(AwsCallsFile(config), "hhl-aws-calls")


class AwsCallsFile:
    """Writes this process's part (worker) or the merged file (controller, or the only process)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        RECORDER.clear()  # this run's calls only (an in-process pytester run shares the module's recorder)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Worker: after the session fixtures' teardown (the cleanup's calls), before xdist reports it done."""
        state = self.config.stash.get(RUN_STATE, None)
        if state is None or not state.is_worker or not state.active:
            return
        write_calls(state.shared_dir / _PART_DIR / f"{_process()}.json", RECORDER.rows(), run_id=state.run_id)

    @pytest.hookimpl(tryfirst=True)
    def pytest_hhl_finish_run(self, run_dir: Path) -> None:
        """Controller, before the manifest: the merged file. Returns None, so the finish itself still runs."""
        state = self.config.stash[RUN_STATE]
        parts = sorted((state.shared_dir / _PART_DIR).glob("*.json"))
        rows = merge_rows([*RECORDER.rows(), *(row for part in parts for row in read_calls(part))])
        write_calls(run_dir / CALLS_NAME, rows, run_id=state.run_id, processes=["main", *(p.stem for p in parts)])
