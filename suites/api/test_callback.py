"""`GET /auth/callback` (SPEC §3.4 step 6): each terminal branch in order, then the full login and code reuse."""

from __future__ import annotations

import secrets

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.flows import Credentials, callback_with_code, fresh_login
from suites.api.helpers import (
    AUTH_FAILED,
    INVALID_STATE,
    SESSION_COOKIES,
    TXN_COOKIE,
    blocked_unless,
    expect_json,
    expect_redirect,
    origin_of,
    reference_clause,
    require,
    session_cookies_set,
)


@pytest.mark.check("api.callback.missing_params")
def test_callback_missing_params(api: HttpClient, evidence: Evidence) -> None:
    expect_json(
        evidence, api.get("/auth/callback", params={"state": "x"}), 400, {"error": "Missing required parameter: code"}
    )
    expect_json(
        evidence, api.get("/auth/callback", params={"code": "x"}), 400, {"error": "Missing required parameter: state"}
    )


@pytest.mark.check("api.callback.bad_state")
def test_callback_bad_state(api: HttpClient, evidence: Evidence) -> None:
    response = api.get("/auth/callback", params={"code": "x", "state": "obviously_tampered_state"})
    expect_json(evidence, response, 400, INVALID_STATE)


@pytest.mark.check("api.callback.idp_error")
def test_callback_idp_error(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    response = api.get("/auth/callback", params={"error": "access_denied"})
    expect_redirect(evidence, response, f"{env.required('site_base_url').rstrip('/')}/learn?auth_error=access_denied")
    set_now = session_cookies_set(response)
    require(not set_now, f"an IdP error must not sign anyone in, but the callback set {set_now}")


@pytest.mark.check("api.callback.bad_code_not_5xx")
def test_callback_bad_code_not_5xx(api: HttpClient, evidence: Evidence) -> None:
    response = callback_with_code(api, f"bogus-{secrets.token_hex(16)}")
    expect_json(evidence, response, 400, AUTH_FAILED)


@pytest.mark.check("api.callback.success")
def test_callback_success(api: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    redirect = f"/learn/courses/{env.content.course}"
    login = fresh_login(api, user, redirect)
    site = env.required("site_base_url").rstrip("/")
    location = expect_redirect(evidence, login.callback, f"{site}{redirect}")
    require(origin_of(location) == origin_of(site), f"the callback left the site origin: {location}")
    set_now = session_cookies_set(login.callback)
    evidence.record(expected={"session_cookies": list(SESSION_COOKIES)}, actual={"session_cookies": set_now})
    require(set_now == list(SESSION_COOKIES), f"expected both session cookies set, got {set_now}")
    # [reference] the sealed transaction cookie is ours; whether login state is browser-bound at all is
    # security.login.state_bound_to_browser's concern, its flags are judged there too.
    txn = login.callback.set_cookies.get(TXN_COOKIE)
    reference_clause(
        evidence,
        env,
        txn is not None and txn.clears,
        f"the callback did not clear {TXN_COOKIE} (Set-Cookie: {txn.attributes if txn else 'none'})",
    )


@pytest.mark.check("api.callback.code_single_use")
def test_callback_code_single_use(api: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    login = fresh_login(api, user)
    blocked_unless(
        bool(session_cookies_set(login.callback)),
        "api.callback.success",
        f"the first callback signed nobody in ({login.callback.describe()}), so there is no used code to replay",
    )
    # The strongest replay: same code, same state, and this browser's transaction cookie, so only the IdP's
    # single-use rule can stop it. The property: the replay yields no session (how it is refused, 400 or a
    # redirect with an error, is the implementation's choice; a 5xx is api.callback.bad_code_not_5xx's concern).
    replay = api.get(login.callback_url, cookies=login.start.txn_cookie)
    issued = session_cookies_set(replay)
    evidence.record(
        expected={"session cookies": [], "status": "400 [reference]"},
        actual={"status": replay.status, "session cookies": issued, "location": replay.location},
    )
    require(not issued, f"the replayed code set session cookies {issued} ({replay.describe()})")
    if replay.status >= 500:  # refused, but as an error: bad_code_not_5xx's finding (one root cause, one red check)
        evidence.note(f"the replay was refused with {replay.status}: api.callback.bad_code_not_5xx judges a 5xx")
        return
    reference_clause(
        evidence,
        env,
        replay.status == 400 and replay.json_or_none() == AUTH_FAILED,
        f"replayed code: expected 400 {AUTH_FAILED}, got {replay.describe()}",
    )
