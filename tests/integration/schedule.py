"""The integration tier's queue: which tests must share a worker (a module-scoped fixture) and the longest-first
order of the units xdist hands out (the gate's GroupedScheduling keeps collection order; see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# Seconds a unit takes in the integration tier: a group (`<module>::<fixture>`, its shared run included) or one test
# (`<module>::<test>[<params>]`, else `<module>::<test>` for every parametrization). Rough figures from
# `--durations=0` on 2 shared cores; only their order matters. A test not listed counts as one fault-matrix run.
COST_S = {
    "test_healthy_run.py::pair": 250.0,  # two full runs side by side on a sandbox of their own, then an -n 2 run
    "test_rollback_rehearsal.py::test_rehearsal_rolls_a_faulted_release_back_to_go": 150.0,
    "test_reporters.py::fault_run": 120.0,
    "test_real_profile.py::real_run": 120.0,
    "test_rendered_commands.py::target": 60.0,
    "test_invocations.py::test_a_misrouted_api_base_is_one_red_check_and_one_environment_error": 35.0,
    "test_invocations.py::test_smoke_scope_on_a_healthy_sandbox_is_go": 35.0,
    "test_invocations.py::test_a_signal_mid_run_never_says_go_and_leaves_nothing_behind": 35.0,
    "test_invocations.py::test_deselecting_a_critical_check_is_partial_and_inconclusive": 30.0,
    # no harness run: last
    "test_fault_matrix.py::test_matrix_covers_every_fault_of_this_wave": 0.0,
    "test_real_profile.py::test_the_known_list_is_the_specs": 0.0,
    "test_schedule.py": 5.0,
}
# A fault-matrix run: its start plus its areas' suites (the browser's e2e the longest).
MATRIX_START_S = 10.0
MATRIX_AREA_S = {"e2e": 45.0, "security": 30.0, "api": 25.0, "crm": 20.0, "load": 10.0, "infra": 8.0}
DEFAULT_COST_S = 25.0


def in_tier(item: pytest.Item) -> bool:
    return HERE in item.path.resolve().parents


def shared_fixture_group(item: pytest.Item) -> str | None:
    """`<module>::<fixture>` for an integration test using a fixture of wider than function scope that its own module
    defines (a harness run or sandbox the module's tests share); None otherwise. Fixtures from conftest files or
    plugins (`tmp_path_factory`) do not group: xdist would otherwise put the whole tier on one worker."""
    if not in_tier(item):
        return None
    module = item.nodeid.split("::", 1)[0]
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name in sorted(info.name2fixturedefs):
        definition = info.name2fixturedefs[name][-1]
        if definition.scope != "function" and definition.baseid == module:
            return f"{Path(module).name}::{name}"
    return None


def cost_of(unit: list[pytest.Item]) -> float:
    """A group's listed cost, else the sum of its tests' (items of other directories cost nothing: they keep their
    order, after the tier's)."""
    group = shared_fixture_group(unit[0])
    if group in COST_S:
        return COST_S[group]
    total = 0.0
    for item in filter(in_tier, unit):
        batch = getattr(getattr(item, "callspec", None), "params", {}).get("batch")
        if batch is not None:  # tests/integration/fault_batches.Batch
            total += MATRIX_START_S + sum(MATRIX_AREA_S.get(area, DEFAULT_COST_S) for area in batch.areas)
            continue
        module = Path(item.nodeid.split("::", 1)[0]).name
        keys = (f"{module}::{item.name}", f"{module}::{getattr(item, 'originalname', item.name)}", module)
        total += next((COST_S[key] for key in keys if key in COST_S), DEFAULT_COST_S)
    return total


def order_longest_first(items: Iterable[pytest.Item]) -> list[pytest.Item]:
    """The tier's items as units (a group's items together, in their order), longest unit first; ties keep their
    collection order (a stable sort)."""
    units: dict[str, list[pytest.Item]] = {}
    for index, item in enumerate(items):
        units.setdefault(shared_fixture_group(item) or f"#{index}", []).append(item)
    ranked = sorted(units.values(), key=lambda unit: -cost_of(unit))
    return [item for unit in ranked for item in unit]
