"""Fixtures of the crm suite (SPEC §7, §10 `crm.*`), built on the harness core's `env`, `evidence`, `api`, `session`:

    hubspot        HubSpotReader on `crm.base_url` with the env's token (HHL_HUBSPOT_TOKEN; local: the sandbox's)
    standin        [local] StandinHooks: the HubSpot stand-in's loopback hooks (faults, seed, ledgers)
    learner        the shared signed-in session's Learner (events through the API, its own email)
    fresh_learner  [local] factory: a new sandbox user, signed in after `before_sign_in(email)` ran (seed, faults)

Every crm check is `skipped` (not applicable) where the env switches CRM off (`crm.enabled: false`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from checks.crm.hubspot import HubSpotReader
from checks.crm.standin import StandinHooks
from checks.errors import HarnessError, MissingCredentials, SandboxError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession, sign_in
from checks.plugin.state import RUN_STATE, run_state
from checks.secrets import register_secret
from checks.users import new_sandbox_user
from environments import Environment
from suites.api.fixtures import signed_in
from suites.crm.sync import Learner

__all__ = ["fresh_learner", "hubspot", "learner", "signed_in", "standin"]

TOKEN_VARIABLE = "HHL_HUBSPOT_TOKEN"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the plugin's write policy and prerequisites: an env without CRM has nothing here to judge."""
    if RUN_STATE not in item.config.stash:
        return
    env = run_state(item.config).base_env
    if not env.crm.enabled:
        pytest.skip(f"not applicable: crm.enabled is false in {env.source_file or env.name}")


def token_source(env: Environment) -> str:
    """Where the token comes from, for messages: the variable (aws) or the sandbox state (local)."""
    if env.kind == "local":
        state = env.sandbox.state_file if env.sandbox else "the sandbox state"
        return f"`crm_token` of {state}"
    return TOKEN_VARIABLE


def crm_token(env: Environment) -> str:
    token = env.credentials.hubspot_token
    if token is None:
        raise MissingCredentials(
            f"no HubSpot token for env {env.name}: set {TOKEN_VARIABLE} (process environment or .env) to a "
            "private-app token; every crm check is blocked without it"
            if env.kind != "local"
            else f"the sandbox state ({token_source(env)}) lists no crm_token: the HubSpot stand-in is not wired"
        )
    register_secret(token.get_secret_value())
    return token.get_secret_value()


def crm_base_url(env: Environment) -> str:
    if not env.crm.base_url:
        where = "filled from the sandbox state `crm_url`" if env.kind == "local" else "the env file"
        raise HarnessError(f"{env.source_file}: `crm.base_url` is not set ({where})")
    return env.crm.base_url


@pytest.fixture
def hubspot(env: Environment, evidence: Evidence) -> Iterator[HubSpotReader]:
    with HubSpotReader(crm_base_url(env), crm_token(env), evidence=evidence) as reader:
        yield reader


@pytest.fixture
def standin(env: Environment, evidence: Evidence) -> Iterator[StandinHooks]:
    if env.kind != "local":
        raise HarnessError("the stand-in hooks exist only in the sandbox")
    with StandinHooks(crm_base_url(env), evidence=evidence) as hooks:
        yield hooks


@pytest.fixture
def learner(api: HttpClient, env: Environment, signed_in: SignedInSession, evidence: Evidence) -> Learner:
    """This process's test user, signed in once per process (the core's session)."""
    return Learner(api, env, signed_in.access_token, evidence)


@pytest.fixture
def fresh_learner(api: HttpClient, env: Environment, evidence: Evidence) -> Callable[..., Learner]:
    """[local] A user of its own for a fault check: nothing else in the run touches its contact, and the faults
    or the seed of `before_sign_in(email)` are in place before the sign-in's profile write reaches the sync."""

    def make(before_sign_in: Callable[[str], None] = lambda email: None) -> Learner:
        if env.kind != "local" or not env.sandbox or not env.sandbox.idp_url or not env.api_base_url:
            raise HarnessError("a fresh user needs the sandbox (hosted-UI stand-in users hook)")
        user = new_sandbox_user(env.sandbox.idp_url)
        if user is None:
            raise SandboxError("the hosted-UI stand-in has no users hook: no fresh user for a fault check")
        register_secret(user.password)
        before_sign_in(user.username)
        session = sign_in(api, api_base_url=env.api_base_url, username=user.username, password=user.password)
        fresh = Learner(api, env, session.access_token, evidence)
        if fresh.email().lower() != user.username.lower():
            raise HarnessError("the fresh user's profile email is not its username: cannot scope the stand-in")
        return fresh

    return make
