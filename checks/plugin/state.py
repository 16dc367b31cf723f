"""Plugin state on `config.stash`: typed keys, one RunState per process, one ItemCheck per suite item."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checks.catalog import CheckSpec
from checks.evidence import Evidence
from checks.plugin.hookspecs import RunOutcomeLike
from checks.plugin.outcomes import ItemOutcome
from checks.plugin.preflight import Blocker
from checks.vocabulary import RunScope
from environments import Environment

__all__ = ["ITEM_CHECK", "ITEM_EVIDENCE", "ITEM_OUTCOME", "RUN_STATE", "ItemCheck", "RunState", "run_state"]


@dataclass
class RunState:
    """What one process knows about the run. Workers get id, directories and start time from the controller."""

    run_id: str
    run_dir: Path
    shared_dir: Path  # cross-process coordination: sandbox lock/state, preflight results, login guard
    env_arg: str
    base_env: Environment  # the env file alone; kind local gets its URLs once the sandbox is up
    started_at: str
    is_worker: bool
    owns_shared_dir: bool
    sandbox_state: Path | None = None  # --sandbox-state, or the file our launcher waits for
    sandbox_faults: tuple[str, ...] = ()
    baseline: Path | None = None
    keep_traces: bool = False
    scope: RunScope = "full"  # full | smoke (SPEC §11.3): `--scope smoke` or `-m smoke`
    interrupted: str = ""  # why the run was cut short (SIGINT, SIGTERM, -x/--maxfail, a crash); "" = ran to the end
    credentials_error: str = ""  # the env needs a test user it does not have: checks needing one are blocked
    environment_errors: list[str] = field(default_factory=list)  # controller: one line per root cause
    collection_errors: list[str] = field(default_factory=list)  # controller: suite modules that failed to import
    active: bool = False  # this session collected suite items (not `pytest tests`)
    results: list[dict[str, Any]] = field(default_factory=list)  # CheckResult JSON (controller only)
    worker_secrets: set[str] = field(default_factory=set)
    outcome: RunOutcomeLike | None = None  # reports.RunOutcome once finished


@dataclass
class ItemCheck:
    """The check an item implements, resolved at collection."""

    spec: CheckSpec
    result_id: str  # the check id, plus `[param]` for parametrized items
    blocked_by: tuple[Blocker, ...] = ()  # selected prerequisites whose failure blocks this item
    publishes: bool = False  # another check waits for this one's outcome


RUN_STATE = pytest.StashKey[RunState]()
ITEM_CHECK = pytest.StashKey[ItemCheck]()
ITEM_OUTCOME = pytest.StashKey[ItemOutcome]()
ITEM_EVIDENCE = pytest.StashKey[Evidence]()


def run_state(config: pytest.Config) -> RunState:
    return config.stash[RUN_STATE]
