"""The fixtures every suite may use (see docs/INTERFACES.md). Each is small and overridable alone:

env            session   the typed Environment (kind local: the sandbox is started on first use)
run_dir        session   Path of this run's directory
evidence       function  Evidence of the current check (files under evidence/<check-id>/)
api            function  HttpClient on env.api_base_url, transcripts into `evidence`
http_client    function  factory: http_client(base_url) → HttpClient recording into `evidence`
test_user      session   UserCredentials of this process's own test user (checks.users; fails closed when missing)
enrollment_user session  UserCredentials of this process's user for the e2e enrollment journey only
fuzz_user      session   UserCredentials of this process's user for the fuzzer only (its writes reach no other check)
session        session   SignedInSession: signed in once over HTTP through the hosted UI (as `test_user`)
fuzz_session   session   SignedInSession as `fuzz_user`, signed in the same way when the fuzzer first needs it
require_writes function  loud error when the check writes and env.allow_writes is false
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from checks.aws.cleanup import UserCleanup
from checks.errors import HarnessError, MissingCredentials, SandboxError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import LockoutGuard, SignedInSession, sign_in
from checks.plugin.policy import ensure_writes_allowed
from checks.plugin.sandbox import run_sandbox_state
from checks.plugin.state import ITEM_CHECK, ITEM_EVIDENCE, RUN_STATE, run_state
from checks.secrets import register_secret
from checks.users import (
    ENROLLMENT,
    FUZZ,
    SESSION,
    GroupedScheduling,
    UserCredentials,
    new_sandbox_user,
    process_index,
    reserved_slot,
    users_shared,
    worker_count,
    write_groups,
    xdist_group_for,
)
from environments import Environment, EnvironmentFileError, load_environment
from environments.loader import PROJECT_ROOT

__all__ = [
    "LOGIN_GUARD_FILE",
    "SESSION_EVIDENCE",
    "UserCredentials",
    "acquire_user",
    "api",
    "enrollment_user",
    "env",
    "evidence",
    "fuzz_session",
    "fuzz_user",
    "http_client",
    "login_guard",
    "require_writes",
    "reserved_users",
    "run_dir",
    "session",
    "test_user",
    "user_cleanup",
]

SESSION_EVIDENCE = "_session"  # evidence directory of the shared sign-in (its transcripts, redacted)
FUZZ_SESSION_EVIDENCE = "_session-fuzz"  # the fuzzer's own sign-in
LOGIN_GUARD_FILE = "login-failed.json"


@pytest.fixture(scope="session")
def run_dir(pytestconfig: pytest.Config) -> Path:
    """The run directory (`verification-output/<run-id>/` or --report-dir), created on first use."""
    path = run_state(pytestconfig).run_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def env(pytestconfig: pytest.Config) -> Environment:
    """The environment under test. Kind local: starts the sandbox once per run (or reads --sandbox-state) and
    fills the URLs from its state file; a sandbox that does not come up is one clear SandboxError."""
    state = run_state(pytestconfig)
    if state.base_env.kind != "local":
        return state.base_env
    state_file = run_sandbox_state(state, cwd=PROJECT_ROOT)
    try:
        loaded = load_environment(state.env_arg, sandbox_state=state_file)
    except EnvironmentFileError as exc:
        raise SandboxError(str(exc)) from None
    for _, password in loaded.sandbox.users if loaded.sandbox else ():
        register_secret(password.get_secret_value())
    return loaded


@pytest.fixture
def evidence(request: pytest.FixtureRequest, run_dir: Path) -> Evidence:
    """This check's evidence: `.attach_json/.attach_text/.path_for/.record(expected=, actual=)/.warn(msg)`."""
    check = request.node.stash.get(ITEM_CHECK, None)
    recorder = Evidence(run_dir, check.result_id if check else request.node.nodeid)
    request.node.stash[ITEM_EVIDENCE] = recorder
    return recorder


def _base_url(env: Environment, key: str) -> str:
    value = getattr(env, key)
    if not value:
        raise HarnessError(f"{env.source_file}: `{key}` is not set for env {env.name}")
    return value


@pytest.fixture
def http_client(evidence: Evidence) -> Iterator[Callable[[str], HttpClient]]:
    """Factory for other bases (site, hosted UI): `site = http_client(env.site_base_url)`; closed at teardown."""
    clients: list[HttpClient] = []

    def make(base_url: str) -> HttpClient:
        clients.append(HttpClient(base_url, evidence=evidence))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(env: Environment, http_client: Callable[[str], HttpClient]) -> HttpClient:
    """curl-style client on env.api_base_url: `api.get("/auth/me")`; never follows redirects."""
    return http_client(_base_url(env, "api_base_url"))


@pytest.fixture(scope="session")
def user_cleanup(env: Environment, run_dir: Path) -> Iterator[UserCleanup]:
    """After the session: on aws with allow_writes, remove this process's test users' own rows (evidence/_cleanup/).
    Locally every run signs in fresh users, so there is nothing to remove."""
    from checks.aws.fixtures import make_aws

    cleanup = UserCleanup(env, run_dir, enabled=env.kind == "aws" and env.allow_writes, process=f"gw{process_index()}")
    yield cleanup
    for record in cleanup.finish(make_aws(env)) if cleanup.enabled else ():
        if record["errors"]:
            warnings.warn(
                f"test-user cleanup incomplete ({'; '.join(record['errors'])}): the next run may not prove every write",
                pytest.PytestWarning,
                stacklevel=1,
            )


def _check_id(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("check")
    value = (marker.args[0] if marker.args else marker.kwargs.get("id")) if marker else None
    return value if isinstance(value, str) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the checks that must share a process into their xdist group (checks.users.xdist_group_for): marked,
    and (in workers) published for GroupedScheduling, which the controller uses under `--dist load`/`loadgroup`."""
    from checks.catalog import CATALOG

    env = run_state(config).base_env if RUN_STATE in config.stash else None
    shared = bool(env and env.kind == "aws") and users_shared(
        users=len(env.test_user_refs) if env else 1, workers=worker_count()
    )
    if not config.pluginmanager.hasplugin("xdist"):
        return  # no xdist (-p no:xdist): no groups, and its marker is not even registered
    groups: dict[str, str] = {}
    for item in items:
        check_id = _check_id(item)
        spec = CATALOG.get(check_id) if check_id else None
        # Suite items are test functions (only a pytest.Function has fixture names).
        fixtures = item.fixturenames if isinstance(item, pytest.Function) else ()
        group = xdist_group_for(spec.id, spec.area, fixtures, shared_users=shared) if spec else None
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
            groups[item.nodeid] = group
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and RUN_STATE in config.stash:
        write_groups(run_state(config).shared_dir, worker, groups)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N` (default `--dist load`, or `loadgroup`): schedule by the checks' groups (checks.users)."""
    if RUN_STATE not in config.stash or config.getvalue("dist") not in ("load", "loadgroup"):
        return None
    return GroupedScheduling(config, log, shared_dir=run_state(config).shared_dir)


def reserved_users(env: Environment) -> list[UserCredentials]:
    """The env's reserved test users (aws), in `test_users` order; any unset variable → MissingCredentials."""
    refs, values = env.test_user_refs, env.credentials.test_users
    missing = [
        name
        for ref, (username, password) in zip(refs, values or [(None, None)] * len(refs), strict=True)
        for name, value in ((ref.username_env, username), (ref.password_env, password))
        if value is None
    ]
    if missing:
        raise MissingCredentials(
            f"no test user for env {env.name}: set {', '.join(missing)} (process environment or .env); "
            "checks needing a session cannot run without them"
        )
    return [UserCredentials(u.get_secret_value(), p.get_secret_value()) for u, p in values if u and p]


def acquire_user(env: Environment, role: str) -> UserCredentials:
    """This process's user for `role` (checks.users): local a fresh sandbox user, aws a reserved one."""
    if env.kind == "local" and env.sandbox:
        fresh = new_sandbox_user(env.sandbox.idp_url) if env.sandbox.idp_url else None
        if fresh is None and not env.sandbox.users:
            raise SandboxError(f"the sandbox ({env.sandbox.state_file}) lists no test user and has no users hook")
        if fresh is None:  # a sandbox without the users hook: its first user, shared by every process
            username, password = env.sandbox.users[0]
            fresh = UserCredentials(username, password.get_secret_value())
        register_secret(fresh.password)
        return fresh
    users = reserved_users(env)
    user = users[reserved_slot(process=process_index(), role=role, users=len(users))]
    register_secret(user.password)
    return user


@pytest.fixture(scope="session")
def test_user(env: Environment, user_cleanup: UserCleanup) -> UserCredentials:
    """This process's own user (HTTP session and browser journeys). Missing credentials → error, never a pass."""
    return user_cleanup.track(acquire_user(env, SESSION))


@pytest.fixture(scope="session")
def enrollment_user(env: Environment, user_cleanup: UserCleanup) -> UserCredentials:
    """This process's user for the e2e enrollment journey only (nothing else writes its enrollments)."""
    return user_cleanup.track(acquire_user(env, ENROLLMENT))


@pytest.fixture(scope="session")
def login_guard(pytestconfig: pytest.Config) -> LockoutGuard:
    """The run's one lockout guard (every worker, the HTTP and the browser sign-in): after a failed sign-in, none."""
    return LockoutGuard(run_state(pytestconfig).shared_dir / LOGIN_GUARD_FILE)


@pytest.fixture(scope="session")
def fuzz_user(env: Environment, user_cleanup: UserCleanup) -> UserCredentials:
    """This process's user for the fuzzer only: generated writes never reach a user another check reads."""
    return user_cleanup.track(acquire_user(env, FUZZ))


def _signed_in(
    env: Environment, user: UserCredentials, evidence: Evidence, user_cleanup: UserCleanup, guard: LockoutGuard
) -> SignedInSession:
    api_base_url = _base_url(env, "api_base_url")
    with HttpClient(api_base_url, evidence=evidence) as http:
        signed_in = sign_in(
            http, api_base_url=api_base_url, username=user.username, password=user.password, guard=guard
        )
    user_cleanup.signed_in(user.username, signed_in.cookies)
    return signed_in


@pytest.fixture(scope="session")
def session(
    env: Environment,
    test_user: UserCredentials,
    run_dir: Path,
    user_cleanup: UserCleanup,
    login_guard: LockoutGuard,
) -> SignedInSession:
    """Signed in once per process through the hosted UI. A failed sign-in is never retried, in any worker."""
    return _signed_in(env, test_user, Evidence(run_dir, SESSION_EVIDENCE), user_cleanup, login_guard)


@pytest.fixture(scope="session")
def fuzz_session(
    request: pytest.FixtureRequest,
    env: Environment,
    fuzz_user: UserCredentials,
    run_dir: Path,
    user_cleanup: UserCleanup,
    login_guard: LockoutGuard,
) -> SignedInSession:
    """`session`, as the fuzzer's own user; with too few reserved users that is the session's user, whose session
    is then reused (one hosted-UI sign-in fewer against a real pool)."""
    if fuzz_user.username == request.getfixturevalue("test_user").username:
        session: SignedInSession = request.getfixturevalue("session")
        return session
    return _signed_in(env, fuzz_user, Evidence(run_dir, FUZZ_SESSION_EVIDENCE), user_cleanup, login_guard)


@pytest.fixture
def require_writes(request: pytest.FixtureRequest, env: Environment) -> None:
    """Explicit form of the policy the plugin applies before setup: a `user`/`fault` check with allow_writes off
    ends `error` ("writes not allowed in <env>: set allow_writes or deselect"), never a silent skip."""
    check = request.node.stash.get(ITEM_CHECK, None)
    if check is not None:
        ensure_writes_allowed(check.spec, env)
