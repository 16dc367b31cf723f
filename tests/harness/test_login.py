"""Sign-in over HTTP: a rejected password stops at once and is never retried (lockout guard)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checks.errors import LoginFailed
from checks.http import HttpClient
from checks.login import reset_lockout_guard, sign_in

LOGIN_PAGE = (
    "<html><body><form method='post' action='/login?client_id=c'><input type='hidden' name='_csrf' value='x1'>"
    "<input id='signInFormUsername' name='username'><input id='signInFormPassword' name='password' type='password'>"
    "<p id='loginErrorMessage'>Incorrect username or password.</p></form></body></html>"
)


@pytest.fixture(autouse=True)
def fresh_guard() -> Iterator[None]:
    reset_lockout_guard()
    yield
    reset_lockout_guard()


def test_rejected_credentials_fail_once_and_are_never_retried(serve) -> None:
    server = serve({})
    server.routes.update(
        {
            "/auth/login": (302, {"Location": f"{server.url}/oauth2/authorize?x=1"}, ""),
            "/oauth2/authorize": (302, {"Location": "/login?x=1"}, ""),
            "/login": (200, {"Content-Type": "text/html"}, LOGIN_PAGE),
        }
    )
    with HttpClient(server.url) as http:
        with pytest.raises(LoginFailed, match="rejected the test user's credentials: Incorrect username or password"):
            sign_in(http, api_base_url=server.url, username="u@example.com", password="Wrong-Passw0rd")
        posts = [r for r in server.requests if r[0] == "POST"]
        assert len(posts) == 1 and b"_csrf=x1" in posts[0][3]
        with pytest.raises(LoginFailed, match="not retrying sign-in after an earlier failure"):
            sign_in(http, api_base_url=server.url, username="u@example.com", password="Wrong-Passw0rd")
    assert len([r for r in server.requests if r[0] == "POST"]) == 1
