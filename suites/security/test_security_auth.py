"""Authentication hardening (SPEC §3.1, §3.3, §3.4, §3.7): no email-only login, no test bypass, cookie flags,
and revocation of the refresh token on logout."""

from __future__ import annotations

import secrets

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.flows import Credentials, callback_with_code, fresh_login, refresh_grant
from suites.api.helpers import (
    NOT_FOUND,
    REFRESH_COOKIE,
    SESSION_COOKIES,
    TXN_COOKIE,
    blocked_unless,
    expect_cookies,
    expect_json,
    expect_redirect,
    require,
    session_cookies_set,
)


@pytest.mark.check("security.auth.no_email_only_login")
def test_no_email_only_login(api: HttpClient, user: Credentials, evidence: Evidence) -> None:
    response = api.post("/auth/login", json={"email": user.username})
    expect_json(evidence, response, 404, NOT_FOUND)
    require(not session_cookies_set(response), "POST /auth/login set session cookies")


@pytest.mark.check("security.auth.test_bypass_disabled")
def test_test_bypass_disabled(api: HttpClient, evidence: Evidence) -> None:
    response = callback_with_code(api, f"MOCK_{secrets.token_hex(8)}")
    issued = session_cookies_set(response)
    evidence.record(expected={"session cookies": []}, actual={"status": response.status, "session cookies": issued})
    require(not issued, f"code=MOCK_* was accepted: the callback set {issued} ({response.describe()})")


@pytest.mark.check("security.cookies.flags")
def test_cookie_flags(api: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    """The two session cookies as set by a real login: HttpOnly (so never in `document.cookie`), Secure,
    SameSite=Strict, Path, Max-Age, and host-only or exactly the env's `cookie_domain`. Whether a transaction
    cookie exists is security.login.state_bound_to_browser's concern; whether the login works is
    api.callback.success's."""
    login = fresh_login(api, user)
    set_now = session_cookies_set(login.callback)
    blocked_unless(
        bool(set_now), "api.callback.success", f"the callback set no session cookie ({login.callback.describe()})"
    )
    missing = [name for name in SESSION_COOKIES if name not in set_now]
    if missing:
        evidence.note(f"the callback did not set {missing}: api.callback.success's concern")
    if TXN_COOKIE not in login.start.response.set_cookies:
        evidence.note(f"/auth/login set no {TXN_COOKIE}: security.login.state_bound_to_browser's concern")
    expect_cookies(evidence, login.callback, set_now, env=env)


@pytest.mark.check("security.logout.revokes_refresh")
def test_logout_revokes_refresh(
    api: HttpClient, idp: HttpClient, env: Environment, user: Credentials, evidence: Evidence
) -> None:
    # A login of its own: revoking the run's shared session would break every later check.
    login = fresh_login(api, user)
    refresh = login.callback.set_cookies.get(REFRESH_COOKIE)
    blocked_unless(bool(refresh and refresh.value), "api.callback.success", "the login set no refresh token to revoke")
    assert refresh is not None
    domain, client_id = env.required("cognito.domain"), env.required("cognito.client_id")
    # Control: the token works before logout, so a later invalid_grant can only come from the revocation.
    before = refresh_grant(idp, domain, client_id, refresh.value)
    require(before.status == 200, f"the fresh refresh token did not work before logout: {before.describe()}")
    expect_redirect(evidence, api.post("/auth/logout", cookies={REFRESH_COOKIE: refresh.value}))
    expect_json(evidence, refresh_grant(idp, domain, client_id, refresh.value), 400, {"error": "invalid_grant"})
