"""The auth faults of sandbox/backend_faults/auth.py plant their defects (SPEC §10): cookies, state, redirects,
callback; and the healthy seams do not."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from tests.backend.auth_fakes import SITE, FakeIdp, complete_login, set_cookie_headers, start_login


def _faulty(make_client, *faults: str) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client(seams=seams_for_faults(frozenset(faults)))


def test_state_as_jwt_exposes_verifier_and_needs_no_browser_binding(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = _faulty(make_client, "backend.state_as_jwt")
    location, state, txn = start_login(client)
    assert txn == ""  # no hhl_auth_txn cookie at all
    claims = json.loads(base64.urlsafe_b64decode(state.split(".")[1] + "=="))
    assert jwt.get_unverified_header(state)["alg"] == "HS256"
    assert len(claims["code_verifier"]) == 43  # readable by anyone who sees the URL
    # Login CSRF: the callback succeeds in a browser that never started this login (no txn cookie).
    response = client.get("/auth/callback", params={"code": idp.issue_code(location), "state": state})
    assert response.status_code == 302 and "hhl_access_token" in set_cookie_headers(response)


@pytest.mark.parametrize(
    ("fault", "weakened", "healthy"),
    [
        ("backend.cookie_samesite_lax", "SameSite=lax", "SameSite=strict"),
        ("backend.cookie_not_httponly", None, "HttpOnly"),
    ],
)
def test_session_cookie_faults(make_client, idp: FakeIdp, fault: str, weakened: str | None, healthy: str) -> None:  # type: ignore[no-untyped-def]
    cookies = set_cookie_headers(complete_login(_faulty(make_client, fault), idp))
    for name in ("hhl_access_token", "hhl_refresh_token"):
        assert healthy not in cookies[name]
        if weakened:
            assert weakened in cookies[name]
    assert "HttpOnly" in cookies["hhl_auth_txn"]  # only the session cookies are weakened


def test_relative_callback_location(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    response = complete_login(_faulty(make_client, "backend.relative_callback_location"), idp, "/learn/courses/x")
    assert response.headers["location"] == "/learn/courses/x"


@pytest.mark.parametrize("raw", ["//evil.com", "/\\evil.com"])
def test_open_redirect(make_client, idp: FakeIdp, raw: str) -> None:  # type: ignore[no-untyped-def]
    response = complete_login(_faulty(make_client, "backend.open_redirect"), idp, raw)
    # The hostile path survives sanitising (Starlette percent-encodes the backslash in the header).
    assert response.headers["location"] in (SITE + "//evil.com", SITE + "/%5Cevil.com")


def test_test_bypass_issues_mock_cookies_without_idp(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = _faulty(make_client, "backend.test_bypass")
    _location, state, txn = start_login(client)
    response = client.get(
        "/auth/callback", params={"code": "MOCK_x", "state": state}, headers={"cookie": f"hhl_auth_txn={txn}"}
    )
    assert response.status_code == 302
    assert "hhl_access_token" in set_cookie_headers(response)
    assert idp.token_requests == []


def test_no_faults_means_correct_seams(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = _faulty(make_client)
    location, _state, txn = start_login(client, "//evil.com")
    assert txn and "." not in parse_qs(urlsplit(location).query)["state"][0]
    assert complete_login(client, idp, "//evil.com").headers["location"].endswith("/learn")
