"""The integration tier's queue (schedule.py): tests sharing a module-scoped run are one group and stay together, the
longest units come first, the fault matrix fills the end; `--test-order reverse|shuffle` (tests/conftest.py) runs the
same tests in another order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.integration.harness_run import REPO_ROOT
from tests.integration.schedule import HERE, order_longest_first, shared_fixture_group
from tests.ordering import reorder


def _item(module: str, name: str, fixtures: dict[str, tuple[str, str]] | None = None) -> Any:
    """A stand-in for a collected item: its node id, path and fixture definitions (name → (scope, baseid))."""
    nodeid = f"tests/integration/{module}::{name}"
    defs = {n: [SimpleNamespace(scope=scope, baseid=base)] for n, (scope, base) in (fixtures or {}).items()}
    return SimpleNamespace(
        nodeid=nodeid, path=HERE / module, name=name, originalname=name.split("[")[0],
        _fixtureinfo=SimpleNamespace(name2fixturedefs=defs),
    )  # fmt: skip


def test_a_module_scoped_fixture_of_the_module_groups_its_users_only() -> None:
    own = {"pair": ("module", "tests/integration/test_healthy_run.py"), "tmp_path": ("function", "")}
    assert shared_fixture_group(_item("test_healthy_run.py", "test_a", own)) == "test_healthy_run.py::pair"
    assert shared_fixture_group(_item("test_healthy_run.py", "test_b", {"tmp_path": ("function", "")})) is None
    # a session fixture of pytest itself (baseid "") or of a conftest never groups: it would pin the whole tier
    assert shared_fixture_group(_item("test_x.py", "test_c", {"tmp_path_factory": ("session", "")})) is None
    outside = SimpleNamespace(**{**vars(_item("test_y.py", "test_d", own)), "path": Path("/elsewhere/test_y.py")})
    assert shared_fixture_group(outside) is None


def test_units_are_queued_longest_first_and_groups_stay_together() -> None:
    shared = {"run": ("module", "tests/integration/test_reporters.py")}
    items = [
        _item("test_fault_matrix.py", "test_faults_are_caught[a]"),
        _item("test_reporters.py", "test_one", shared),
        _item("test_fault_matrix.py", "test_faults_are_caught[b]"),
        _item("test_reporters.py", "test_two", shared),
        _item("test_reporters.py", "test_three", shared),
    ]
    ordered = [i.name for i in order_longest_first(items)]
    # three default-cost tests in one group outweigh one matrix run; ties keep collection order
    assert ordered == ["test_one", "test_two", "test_three", "test_faults_are_caught[a]", "test_faults_are_caught[b]"]


def _collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:randomly", "tests/integration", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_fault_matrix_fills_the_end_and_groups_stay_together() -> None:
    collected = _collected()
    matrix = [i for i, nodeid in enumerate(collected) if "::test_faults_are_caught[" in nodeid]
    # the longer units (every other harness run) go first; the matrix's browser runs lead it (see COST_S)
    longer = [i for i, nodeid in enumerate(collected) if _module(nodeid) in LONGER_MODULES]
    longer = [i for i in longer if "test_the_known_list" not in collected[i]]  # no harness run
    assert len(matrix) > 10 and max(longer) < matrix[-3], collected  # the shortest matrix runs close the queue
    healthy = [i for i, nodeid in enumerate(collected) if "test_healthy_run.py" in nodeid]
    assert healthy == list(range(healthy[0], healthy[0] + len(healthy))), "a group's tests are not together"


@pytest.mark.parametrize("order", ["reverse", "shuffle"])
def test_another_order_runs_the_same_tests(order: str) -> None:
    items = [_item("test_fault_matrix.py", f"test_faults_are_caught[{n}]") for n in range(20)]
    reordered, again = list(items), list(items)
    reorder(reordered, order, seed=7)
    reorder(again, order, seed=7)
    assert sorted(map(id, reordered)) == sorted(map(id, items)) and reordered != items
    assert again == reordered  # one seed, one order: every xdist worker collects the same list
    if order == "reverse":
        assert reordered == items[::-1]


LONGER_MODULES = {
    "test_healthy_run.py",
    "test_invocations.py",
    "test_real_profile.py",
    "test_reporters.py",
    "test_rendered_commands.py",
    "test_rollback_rehearsal.py",
}


def _module(nodeid: str) -> str:
    return Path(nodeid.split("::", 1)[0]).name


def test_xdist_sees_each_shared_run_as_one_group(tmp_path: Path) -> None:
    """What the scheduler is given under `-n 2 --dist loadgroup`: every worker publishes the shared run's group."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ["HHL_XDIST_PROBE_DIR"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "tests.integration.xdist_probe",
         "-p", "no:randomly", "-q", "tests/integration/test_healthy_run.py", "tests/integration/test_real_profile.py"],
        cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    for worker in ("gw0", "gw1"):
        seen = json.loads((tmp_path / f"{worker}.json").read_text())
        healthy = {n: g for n, g in seen.items() if "test_healthy_run.py" in n}
        assert len(healthy) >= 5 and set(healthy.values()) == {"test_healthy_run.py::pair"}, seen
        known_list = [g for n, g in seen.items() if n.endswith("::test_the_known_list_is_the_specs")]
        assert known_list == [None], seen  # uses no shared run: its own unit
