"""A pytest plugin for the project's tests (`-p tests.checks.collected_checks`): after collection, print one
`HHL-ITEM <check id> <nodeid>` line per selected suite item, so a test can see what a command selects."""

from __future__ import annotations

import pytest

from checks.plugin.state import ITEM_CHECK

PREFIX = "HHL-ITEM"


def pytest_collection_finish(session: pytest.Session) -> None:
    for item in session.items:
        check = item.stash.get(ITEM_CHECK, None)
        print(f"{PREFIX} {check.spec.id if check else '-'} {item.nodeid}")


def parse(output: str) -> list[tuple[str, str]]:
    """(check id, nodeid) per collected item, from a `--co` run's output."""
    return [tuple(line.split(" ", 2)[1:]) for line in output.splitlines() if line.startswith(PREFIX + " ")]  # type: ignore[misc]
