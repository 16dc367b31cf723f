"""Which test user each process of a run signs in as (issue 8: isolation), and which checks must share a worker.

Every process (the only one, or each xdist worker) has users of its own, one per role:

session     the HTTP session (`session`) and the browser journeys (`signed_in_state`) of the process
enrollment  the e2e enrollment journey (`e2e.auth.enroll_outcome`, then `e2e.auth.my_learning`): nothing else
            writes this user's enrollments, so the click is the only thing that can have enrolled it
fuzz        the fuzzer's signed-in requests (`api.fuzz.no_5xx`): what its generated writes leave behind (enrollments
            in generated slugs) lands on a user no other check reads, so no later check measures or judges it

Local: each (process, role) gets a fresh user from the hosted-UI stand-in (`POST <idp>/__standin/users`); while a
sandbox lacks that hook, every process falls back to the sandbox's first user. AWS: the env file's reserved users
(`test_users`, variable names) are dealt out by slot `process * len(ROLES) + role`; with fewer users than slots,
users are shared between processes, so every check that signs in is put into one xdist group (one worker).

>>> reserved_slot(process=1, role=ENROLLMENT, users=8)
4
>>> users_shared(users=1, workers=2)
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import SandboxError, TargetUnreachable
from checks.http import HttpClient

__all__ = [
    "ENROLLMENT",
    "ENROLLMENT_CHECKS",
    "ENROLLMENT_GROUP",
    "FUZZ",
    "LOAD_GROUP",
    "ROLES",
    "SESSION",
    "SHARED_USER_GROUP",
    "STANDIN_USERS_PATH",
    "USER_FIXTURES",
    "GroupedScheduling",
    "UserCredentials",
    "new_sandbox_user",
    "process_index",
    "read_groups",
    "reserved_slot",
    "users_shared",
    "worker_count",
    "write_groups",
    "xdist_group_for",
]

SESSION, ENROLLMENT, FUZZ = "session", "enrollment", "fuzz"
ROLES = (SESSION, ENROLLMENT, FUZZ)
STANDIN_USERS_PATH = "/__standin/users"

# xdist groups (honoured under `--dist loadgroup`): what must run in sequence in one process.
LOAD_GROUP = "hhl-load"  # the load checks: throttling and the alarm watch come after all of this process's load
ENROLLMENT_GROUP = "hhl-e2e-enrollment"  # enroll, then My Learning lists it (same user, same process)
SHARED_USER_GROUP = "hhl-shared-user"  # aws with too few reserved users: every check that signs in
ENROLLMENT_CHECKS = ("e2e.auth.enroll_outcome", "e2e.auth.my_learning")
# Fixtures through which a check acts as a test user (any check whose closure holds one signs in).
USER_FIXTURES = ("test_user", "enrollment_user", "fuzz_user")


@dataclass(frozen=True)
class UserCredentials:
    username: str
    password: str = field(repr=False)


def process_index(environ: Mapping[str, str] | None = None) -> int:
    """0 without xdist (and for the controller), N for worker `gwN`."""
    worker = (os.environ if environ is None else environ).get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def worker_count(environ: Mapping[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get("PYTEST_XDIST_WORKER_COUNT", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def reserved_slot(*, process: int, role: str, users: int) -> int:
    """Index of the reserved user serving (process, role)."""
    return (process * len(ROLES) + ROLES.index(role)) % users


def users_shared(*, users: int, workers: int) -> bool:
    """Whether two processes would get the same reserved user (then they must not run user checks side by side)."""
    return workers > 1 and users < workers * len(ROLES)


def xdist_group_for(check_id: str, area: str, fixturenames: Collection[str], *, shared_users: bool) -> str | None:
    """The one xdist group of a check (None: free to run anywhere)."""
    signs_in = any(name in fixturenames for name in USER_FIXTURES)
    if shared_users and (signs_in or area == "load" or check_id in ENROLLMENT_CHECKS):
        return SHARED_USER_GROUP
    if area == "load":
        return LOAD_GROUP
    if check_id in ENROLLMENT_CHECKS:
        return ENROLLMENT_GROUP
    return None


def new_sandbox_user(idp_url: str) -> UserCredentials | None:
    """A fresh user from the stand-in's loopback hook; None when this sandbox has no such hook (404/405)."""
    try:
        with HttpClient(idp_url, timeout=10.0) as http:
            response = http.post(STANDIN_USERS_PATH)
    except TargetUnreachable as exc:
        raise SandboxError(f"the hosted-UI stand-in did not answer {STANDIN_USERS_PATH}: {exc}") from None
    if response.status in (404, 405):
        return None
    body = response.json_or_none() if response.status == 201 else None
    if not isinstance(body, dict) or not body.get("username") or not body.get("password"):
        raise SandboxError(
            f"POST {idp_url}{STANDIN_USERS_PATH}: expected 201 {{username, password}}, got {response.status}"
        )
    return UserCredentials(str(body["username"]), str(body["password"]))


# --- xdist: the groups, honoured under `--dist load` and `--dist loadgroup` -------------------------------------
# xdist's own loadgroup suffixes `item._nodeid`, which pytest >= 9 no longer reads (nodeids come from `item._id`), so
# its groups silently do nothing here. Instead each worker writes its {nodeid: group} map to the run's shared
# directory at collection, and the controller schedules with GroupedScheduling, which reads it.

GROUPS_FILE = "xdist-groups-{worker}.json"


def write_groups(shared_dir: Path, worker: str, groups: Mapping[str, str]) -> Path:
    """Atomically publish one worker's {nodeid: group} (before xdist reports its collection)."""
    path = shared_dir / GROUPS_FILE.format(worker=worker)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(groups), sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def read_groups(shared_dir: Path) -> dict[str, str]:
    """Every worker's map merged (they collect the same items, so they agree)."""
    groups: dict[str, str] = {}
    for path in sorted(shared_dir.glob(GROUPS_FILE.format(worker="*"))):
        groups.update(json.loads(path.read_text(encoding="utf-8")))
    return groups


def _scheduling_base() -> Any:
    from xdist.scheduler import LoadGroupScheduling

    return LoadGroupScheduling


class GroupedScheduling(_scheduling_base()):  # type: ignore[misc]
    """xdist's LoadGroupScheduling, with the groups read from the workers' maps (see above): the items of one group
    go to one worker, in collection order; every other item is its own unit, distributed as by `--dist load`."""

    def __init__(self, config: Any, log: Any = None, *, shared_dir: Path) -> None:
        super().__init__(config, log)
        # Units in collection order (prerequisites first, the load suite's RUN_LAST last), never biggest first:
        # a group sent ahead of the preflights it waits for would block on them (checks.plugin.preflight).
        config.option.loadscopereorder = False
        self.shared_dir = shared_dir
        self._groups: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._groups is None:  # first call: every worker has collected (xdist schedules after that)
            self._groups = read_groups(self.shared_dir)
        group = self._groups.get(nodeid)
        return f"group:{group}" if group else super()._split_scope(nodeid)
