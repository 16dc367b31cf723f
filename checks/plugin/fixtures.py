"""The fixtures every suite may use (see docs/INTERFACES.md). Each is small and overridable alone:

env            session   the typed Environment (kind local: the sandbox is started on first use)
run_dir        session   Path of this run's directory
evidence       function  Evidence of the current check (files under evidence/<check-id>/)
api            function  HttpClient on env.api_base_url, transcripts into `evidence`
http_client    function  factory: http_client(base_url) → HttpClient recording into `evidence`
test_user      session   UserCredentials of the reserved test user (fails closed when missing)
session        session   SignedInSession: signed in once over HTTP through the hosted UI
require_writes function  loud error when the check writes and env.allow_writes is false
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checks.errors import HarnessError, LoginFailed, MissingCredentials, SandboxError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession, sign_in
from checks.plugin.policy import ensure_writes_allowed
from checks.plugin.sandbox import ensure_sandbox
from checks.plugin.state import ITEM_CHECK, ITEM_EVIDENCE, run_state
from checks.secrets import register_secret
from environments import Environment, EnvironmentFileError, load_environment
from environments.loader import PROJECT_ROOT

SESSION_EVIDENCE = "_session"  # evidence directory of the shared sign-in (its transcripts, redacted)
LOGIN_GUARD_FILE = "login-failed.txt"


@dataclass(frozen=True)
class UserCredentials:
    username: str
    password: str = field(repr=False)


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
    state_file = state.sandbox_state or ensure_sandbox(state.shared_dir, faults=state.sandbox_faults, cwd=PROJECT_ROOT)
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
def test_user(env: Environment) -> UserCredentials:
    """Local: the sandbox's first user. AWS: HHL_TEST_USERNAME/HHL_TEST_PASSWORD. Missing → error, never a pass."""
    if env.kind == "local" and env.sandbox and env.sandbox.users:
        username, password = env.sandbox.users[0]
        return UserCredentials(username, password.get_secret_value())
    username, password = env.credentials.test_username, env.credentials.test_password
    if username is None or password is None:
        raise MissingCredentials(
            f"no test user for env {env.name}: set HHL_TEST_USERNAME and HHL_TEST_PASSWORD "
            "(process environment or .env); checks needing a session cannot run without them"
        )
    return UserCredentials(username.get_secret_value(), password.get_secret_value())


@pytest.fixture(scope="session")
def session(
    pytestconfig: pytest.Config, env: Environment, test_user: UserCredentials, run_dir: Path
) -> Iterator[SignedInSession]:
    """Signed in once per process through the hosted UI. A failed sign-in is never retried, in any worker."""
    guard = run_state(pytestconfig).shared_dir / LOGIN_GUARD_FILE
    if guard.is_file():
        raise LoginFailed(f"not retrying sign-in after an earlier failure (lockout guard): {guard.read_text()}")
    api_base_url = _base_url(env, "api_base_url")
    with HttpClient(api_base_url, evidence=Evidence(run_dir, SESSION_EVIDENCE)) as http:
        try:
            signed_in = sign_in(
                http, api_base_url=api_base_url, username=test_user.username, password=test_user.password
            )
        except LoginFailed as exc:
            guard.write_text(str(exc), encoding="utf-8")
            raise
    yield signed_in


@pytest.fixture
def require_writes(request: pytest.FixtureRequest, env: Environment) -> None:
    """Explicit form of the policy the plugin applies before setup: a `user`/`fault` check with allow_writes off
    ends `error` ("writes not allowed in <env>: set allow_writes or deselect"), never a silent skip."""
    check = request.node.stash.get(ITEM_CHECK, None)
    if check is not None:
        ensure_writes_allowed(check.spec, env)
