"""Sign-in over HTTP: a rejected password stops at once and is never retried (lockout guard); each failure's type
says whose part broke, in this worker and in every other one reading the run's guard file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checks.errors import CredentialsRejected, LoginBrokenByBackend, LoginFailed, LoginLockedOut
from checks.http import HttpClient
from checks.login import LockoutGuard, broken_by_backend, reset_lockout_guard, sign_in

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


def test_a_backend_that_sets_no_session_cookie_is_the_backends_failure_in_every_worker(serve, tmp_path) -> None:
    server = serve({})
    server.routes.update(
        {
            "/auth/login": (302, {"Location": f"{server.url}/oauth2/authorize?x=1"}, ""),
            "/oauth2/authorize": (302, {"Location": "/login?x=1"}, ""),
            "/auth/callback": (302, {"Location": "/learn"}, ""),  # no Set-Cookie at all
        }
    )
    # the form posts to /submit, which redirects to the callback with a code
    form = LOGIN_PAGE.replace("/login?client_id=c", "/submit").replace("Incorrect username or password.", "")
    server.routes["/login"] = (200, {"Content-Type": "text/html"}, form)
    server.routes["/submit"] = (302, {"Location": f"{server.url}/auth/callback?code=c1&state=s"}, "")
    guard_file = tmp_path / "login-failed.json"
    with HttpClient(server.url) as http, pytest.raises(LoginFailed) as raised:
        sign_in(
            http, api_base_url=server.url, username="u@example.com", password="Pw-1", guard=LockoutGuard(guard_file)
        )
    assert isinstance(raised.value, LoginBrokenByBackend) and broken_by_backend(raised.value)
    # another worker's guard on the same run file: locked out, and still knows whose part broke
    with pytest.raises(LoginLockedOut) as locked:
        LockoutGuard(guard_file).check()
    assert locked.value.cause is LoginBrokenByBackend and broken_by_backend(locked.value)
    assert "the callback set no hhl_access_token cookie" in str(locked.value)


def test_rejected_credentials_lock_every_later_sign_in_out_as_not_the_backends(tmp_path) -> None:
    first = LockoutGuard(tmp_path / "guard.json")
    first.trip(CredentialsRejected("the hosted UI rejected the test user's credentials: no"))
    with pytest.raises(LoginLockedOut) as locked:
        LockoutGuard(tmp_path / "guard.json").check()
    assert locked.value.cause is CredentialsRejected and not broken_by_backend(locked.value)
