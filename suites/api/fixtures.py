"""Fixtures of the API and security suites (imported by both suites' conftest.py), built on the harness core's
`env`, `session`, `test_user`, `http_client` and `aws`.

    user           the reserved test user as flows.Credentials
    second_user    [local] the sandbox's second user: never signed in through the backend, so it has no profile row
    signed_in      the core's shared session; a sign-in the *backend* broke is this check's failure, not an error
    idp            HttpClient on the hosted-UI domain (transcripts into this check's evidence)
    site           HttpClient on the site
    other_client   [local] (client_id, callback URL) of `hedgehog-learn-other`, read from the pool's client settings
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from checks.aws.session import ReadOnlyAws
from checks.errors import CheckFailure, HarnessError, LoginFailed
from checks.http import HttpClient
from checks.login import SignedInSession, broken_by_backend
from environments import Environment
from suites.api.flows import Credentials


@pytest.fixture
def user(test_user: Any) -> Credentials:
    return Credentials(test_user.username, test_user.password)


@pytest.fixture
def second_user(env: Environment) -> Credentials:
    users = env.sandbox.users if env.sandbox else []
    if len(users) < 2:
        raise HarnessError("the sandbox state lists no second user (needed for a sub without a profile row)")
    username, password = users[1]
    return Credentials(username, password.get_secret_value())


@pytest.fixture
def signed_in(request: pytest.FixtureRequest) -> SignedInSession:
    """The shared session. When its sign-in failed at the backend (callback 5xx, no cookie), every check that needs
    a session fails with that reason: under a broken backend the verdict must be NO-GO, not INCONCLUSIVE."""
    try:
        return request.getfixturevalue("session")
    except LoginFailed as exc:
        if broken_by_backend(exc):
            raise CheckFailure(f"no signed-in session: the backend broke the login: {exc}") from None
        raise


@pytest.fixture
def idp(env: Environment, http_client: Callable[[str], HttpClient]) -> HttpClient:
    return http_client(env.required("cognito.domain"))


@pytest.fixture
def site(env: Environment, http_client: Callable[[str], HttpClient]) -> HttpClient:
    return http_client(env.required("site_base_url"))


@pytest.fixture
def other_client(env: Environment, aws: ReadOnlyAws) -> tuple[str, str]:
    """The negative-test client's id and first callback URL, by a read-only DescribeUserPoolClient."""
    client_id = env.cognito.other_client_id
    if not client_id:
        raise HarnessError("the sandbox state lists no other_client_id (hedgehog-learn-other)")
    described = aws.client("cognito-idp").describe_user_pool_client(
        UserPoolId=env.cognito.user_pool_id, ClientId=client_id
    )
    callbacks = described["UserPoolClient"].get("CallbackURLs") or []
    if not callbacks:
        raise HarnessError(f"client {client_id} has no callback URL to run a code flow with")
    return client_id, callbacks[0]
