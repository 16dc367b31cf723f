"""Every harness command the documents render selects what it says, and every catalog check is one test item.

The post-rollback smoke command (rollback-procedures.md) must collect exactly the check list the document prints,
never 0 of N (it once selected nothing: no item carried the marker)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

from checks.catalog import CATALOG
from reports.rollback import POST_ROLLBACK_CHECKS, rollback_plan
from tests.checks.collected_checks import parse

REPO = Path(__file__).resolve().parents[2]
COLLECTED_CHECKS = "tests.checks.collected_checks"
PENDING_AREAS: tuple[str, ...] = ()  # areas whose catalog entries have no suite yet


def _collect(*args: str) -> list[tuple[str, str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--co", "-q", "-p", "no:randomly", "-p", COLLECTED_CHECKS],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return parse(done.stdout)


def test_the_post_rollback_command_collects_exactly_the_listed_checks() -> None:
    plan = rollback_plan({"name": "local", "function_name": "fn", "tables": {}}, None)
    words = shlex.split(plan["post_rollback"])
    assert words[0] == "pytest" and len(POST_ROLLBACK_CHECKS) >= 8
    collected = [check_id for check_id, _ in _collect(*words[1:])]
    assert sorted(collected) == sorted(plan["post_rollback_checks"])


def test_every_catalog_check_is_exactly_one_test_item_and_back() -> None:
    items = _collect("--env", "local")
    per_check = Counter(check_id for check_id, _ in items)
    assert "-" not in per_check, "a suite item without a catalog check"
    expected = {cid for cid, spec in CATALOG.items() if spec.area not in PENDING_AREAS}
    assert {cid for cid, n in per_check.items() if n != 1} == set(), per_check
    assert set(per_check) == expected, (expected - set(per_check), set(per_check) - expected)
