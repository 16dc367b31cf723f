"""Which test user each process signs in as, which checks share a worker, and the env key `test_users` (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.errors import MissingCredentials
from checks.plugin.fixtures import reserved_users
from checks.users import (
    ENROLLMENT,
    ENROLLMENT_GROUP,
    FUZZ,
    LOAD_GROUP,
    ROLES,
    SESSION,
    SHARED_USER_GROUP,
    process_index,
    reserved_slot,
    users_shared,
    worker_count,
    xdist_group_for,
)
from environments import EnvironmentFileError, load_environment

ENV_DIR = Path(__file__).resolve().parents[2] / "environments"


def test_process_index_and_worker_count_from_xdist() -> None:
    assert process_index({}) == 0 and worker_count({}) == 1
    assert process_index({"PYTEST_XDIST_WORKER": "gw3"}) == 3
    assert worker_count({"PYTEST_XDIST_WORKER_COUNT": "2"}) == 2


def test_each_process_and_role_gets_its_own_reserved_user_when_there_are_enough() -> None:
    slots = {(p, r): reserved_slot(process=p, role=r, users=6) for p in (0, 1) for r in ROLES}
    assert sorted(slots.values()) == [0, 1, 2, 3, 4, 5]
    assert ROLES == (SESSION, ENROLLMENT, FUZZ)
    assert not users_shared(users=6, workers=2)
    assert users_shared(users=1, workers=2) and users_shared(users=5, workers=2)
    assert not users_shared(users=1, workers=1)  # one process: nothing to share with


@pytest.mark.parametrize(
    ("check_id", "area", "fixtures", "shared", "group"),
    [
        ("api.me.profile", "api", ["session", "test_user"], False, None),
        ("api.me.profile", "api", ["session", "test_user"], True, SHARED_USER_GROUP),
        ("api.gateway.unknown_routes", "api", ["api"], True, None),  # signs nobody in: free everywhere
        ("load.api.read_latency", "load", ["test_user"], False, LOAD_GROUP),
        ("load.alarms_quiet_after", "load", ["aws"], True, SHARED_USER_GROUP),  # with the load it watches
        ("e2e.auth.enroll_outcome", "e2e", ["enrollment_user"], False, ENROLLMENT_GROUP),
        ("e2e.auth.my_learning", "e2e", ["enrollment_user"], False, ENROLLMENT_GROUP),
        ("e2e.auth.module_buttons", "e2e", ["test_user"], False, None),
        ("api.fuzz.no_5xx", "api", ["fuzz_user"], False, None),
        ("api.fuzz.no_5xx", "api", ["fuzz_user"], True, SHARED_USER_GROUP),
    ],
)
def test_xdist_groups(check_id: str, area: str, fixtures: list[str], shared: bool, group: str | None) -> None:
    assert xdist_group_for(check_id, area, fixtures, shared_users=shared) == group


def _env_file(tmp_path: Path, extra: str) -> Path:
    text = (ENV_DIR / "dev.yaml").read_text(encoding="utf-8")
    start = text.index("test_users:")
    end = text.index("alarm_quiet_window_s:")
    path = tmp_path / "env.yaml"
    path.write_text(text[:start] + extra + text[end:], encoding="utf-8")
    return path


def test_reserved_users_come_from_the_variables_the_env_file_names(tmp_path: Path) -> None:
    path = _env_file(
        tmp_path,
        "test_users:\n  - {username_env: HHL_TEST_USERNAME, password_env: HHL_TEST_PASSWORD}\n"
        "  - {username_env: HHL_TEST_USERNAME_2, password_env: HHL_TEST_PASSWORD_2}\n",
    )
    environ = {
        "HHL_TEST_USERNAME": "one@example.com",
        "HHL_TEST_PASSWORD": "Passw0rd-one",
        "HHL_TEST_USERNAME_2": "two@example.com",
        "HHL_TEST_PASSWORD_2": "Passw0rd-two",
    }
    env = load_environment(str(path), environ=environ)
    assert [u.username for u in reserved_users(env)] == ["one@example.com", "two@example.com"]
    assert env.credentials.test_username.get_secret_value() == "one@example.com"
    assert "Passw0rd" not in str(env.public_dict())  # names only in the reports' env appendix

    partial = load_environment(str(path), environ={k: v for k, v in environ.items() if not k.endswith("_2")})
    with pytest.raises(MissingCredentials, match="HHL_TEST_USERNAME_2, HHL_TEST_PASSWORD_2"):
        reserved_users(partial)


def test_default_reserved_user_and_missing_credentials() -> None:
    env = load_environment("dev", environ={})
    with pytest.raises(MissingCredentials, match="HHL_TEST_USERNAME, HHL_TEST_PASSWORD"):
        reserved_users(env)
    assert env.alarm_quiet_window_s == 300 and load_environment("local", environ={}).alarm_quiet_window_s == 0


def test_the_first_reserved_user_is_always_hhl_test_username(tmp_path: Path) -> None:
    path = _env_file(tmp_path, "test_users:\n  - {username_env: OTHER_USER, password_env: OTHER_PASSWORD}\n")
    with pytest.raises(EnvironmentFileError, match="the first user must be"):
        load_environment(str(path), environ={})


def test_grouped_scheduling_reads_the_workers_group_maps(tmp_path: Path) -> None:
    from checks.users import GroupedScheduling, read_groups, write_groups

    write_groups(tmp_path, "gw0", {"suites/e2e/t.py::test_enroll[chromium]": ENROLLMENT_GROUP})
    write_groups(tmp_path, "gw1", {"suites/e2e/t.py::test_enroll[chromium]": ENROLLMENT_GROUP, "s/l.py::t": LOAD_GROUP})
    assert read_groups(tmp_path) == {
        "suites/e2e/t.py::test_enroll[chromium]": ENROLLMENT_GROUP,
        "s/l.py::t": LOAD_GROUP,
    }

    scheduler = object.__new__(GroupedScheduling)
    scheduler.shared_dir, scheduler._groups = tmp_path, None
    assert scheduler._split_scope("suites/e2e/t.py::test_enroll[chromium]") == f"group:{ENROLLMENT_GROUP}"
    assert scheduler._split_scope("s/l.py::t") == f"group:{LOAD_GROUP}"
    assert scheduler._split_scope("suites/api/t.py::test_free") == "suites/api/t.py::test_free"  # its own unit
