"""GET /auth/callback (SPEC §3.4 step 6): each check in order, 4xx for the user's errors, 502 for the IdP's."""

from __future__ import annotations

import time

import pytest
from hhl_backend.auth.transaction import SealedCookieCodec
from hhl_backend.config import load_settings
from starlette.testclient import TestClient

from tests.backend.auth_fakes import (
    SITE,
    FakeIdp,
    FakeStore,
    base_env,
    complete_login,
    cookie_value,
    set_cookie_headers,
    start_login,
)


def _txn_cleared(response) -> bool:  # type: ignore[no-untyped-def]
    line = set_cookie_headers(response).get("hhl_auth_txn", "")
    return "Max-Age=0" in line and "Path=/auth" in line and cookie_value(line) == ""


def _callback(client: TestClient, params: dict[str, str], txn: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"cookie": f"hhl_auth_txn={txn}"} if txn else {}
    return client.get("/auth/callback", params=params, headers=headers)


def test_success_sets_session_and_redirects_absolute(client: TestClient, idp: FakeIdp, store: FakeStore) -> None:
    response = complete_login(client, idp, redirect_url="/learn/courses/network-like-hyperscaler-foundations")
    assert response.status_code == 302
    assert response.headers["location"] == SITE + "/learn/courses/network-like-hyperscaler-foundations"
    cookies = set_cookie_headers(response)
    access, refresh = cookies["hhl_access_token"], cookies["hhl_refresh_token"]
    assert {p.strip() for p in access.split(";")[1:]} == {
        "HttpOnly",
        "Max-Age=3600",
        "Path=/",
        "SameSite=strict",
        "Secure",
    }
    assert {p.strip() for p in refresh.split(";")[1:]} == {
        "HttpOnly",
        "Max-Age=2592000",
        "Path=/auth",
        "SameSite=strict",
        "Secure",
    }
    assert "Domain" not in access  # host-only by default
    assert _txn_cleared(response)
    assert store.profiles["user-1"]["email"] == "learner@example.test"
    sent = idp.token_requests[-1]
    assert sent["grant_type"] == "authorization_code" and len(sent["code_verifier"]) == 43


def test_cookie_domain_applies_to_set_and_clear(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = make_client(settings_=load_settings(base_env(COOKIE_DOMAIN="example.test")))
    cookies = set_cookie_headers(complete_login(client, idp))
    assert all("Domain=example.test" in line for line in cookies.values())


@pytest.mark.parametrize(
    ("error", "reason"), [("access_denied", "access_denied"), ("<script>", "unknown_error"), ("", "unknown_error")]
)
def test_idp_error_redirects_to_site(client: TestClient, error: str, reason: str) -> None:
    response = _callback(client, {"error": error, "state": "s"})
    assert response.status_code == 302
    assert response.headers["location"] == f"{SITE}/learn?auth_error={reason}"
    assert set(set_cookie_headers(response)) == {"hhl_auth_txn"} and _txn_cleared(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "x"}, "Missing required parameter: code"),
        ({"code": "x"}, "Missing required parameter: state"),
        ({"code": "x", "state": "obviously_tampered_state"}, "Invalid or expired state parameter"),
    ],
)
def test_missing_or_bad_parameters(client: TestClient, params: dict[str, str], message: str) -> None:
    response = _callback(client, params)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert response.headers["content-type"] == "application/json"
    assert _txn_cleared(response)


def test_state_must_match_this_browsers_txn(client: TestClient, idp: FakeIdp) -> None:
    location, _state, txn = start_login(client)
    _other_location, other_state, _ = start_login(client)
    response = _callback(client, {"code": idp.issue_code(location), "state": other_state}, txn)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid or expired state parameter"}
    assert idp.token_requests == []  # never reached the IdP


def test_tampered_txn_rejected(client: TestClient, idp: FakeIdp) -> None:
    location, state, txn = start_login(client)
    tampered = txn[:-4] + ("AAAA" if not txn.endswith("AAAA") else "BBBB")
    for value in (tampered, "x" * 5000, "not-fernet"):
        response = _callback(client, {"code": idp.issue_code(location), "state": state}, value)
        assert response.json() == {"error": "Invalid or expired state parameter"}


def test_expired_txn_rejected(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    now = [time.time()]
    client = make_client(
        transaction_codec=lambda s: SealedCookieCodec(s.auth_cookie_secret, clock=lambda: now[0]),
    )
    location, state, txn = start_login(client)
    now[0] += 601  # the txn cookie lives 600 s
    response = _callback(client, {"code": idp.issue_code(location), "state": state}, txn)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid or expired state parameter"}


def test_replayed_code_and_state_rejected(client: TestClient, idp: FakeIdp) -> None:
    location, state, txn = start_login(client)
    code = idp.issue_code(location)
    assert _callback(client, {"code": code, "state": state}, txn).status_code == 302
    replay = _callback(client, {"code": code, "state": state}, txn)
    assert replay.status_code == 400
    assert replay.json() == {"error": "Authentication failed"}


@pytest.mark.parametrize(
    ("mode", "status", "message"),
    [
        ("400", 400, "Authentication failed"),
        ("500", 502, "Identity provider unavailable"),
        ("timeout", 502, "Identity provider unavailable"),
        ("connect", 502, "Identity provider unavailable"),
        ("non_json", 502, "Identity provider unavailable"),
    ],
)
def test_token_endpoint_failures(client: TestClient, idp: FakeIdp, mode: str, status: int, message: str) -> None:
    idp.token_mode = mode
    response = complete_login(client, idp)
    assert response.status_code == status
    assert response.json() == {"error": message}
    assert "hhl_access_token" not in set_cookie_headers(response) and _txn_cleared(response)


def test_mock_code_is_an_ordinary_code(client: TestClient, idp: FakeIdp) -> None:
    _location, state, txn = start_login(client)
    response = _callback(client, {"code": "MOCK_x", "state": state}, txn)
    assert response.status_code == 400
    assert "hhl_access_token" not in set_cookie_headers(response)


@pytest.mark.parametrize(
    "override",
    [{"nonce": "wrong"}, {"aud": "other-client"}, {"email": None}, {"token_use": "access"}, {"iss": "https://evil"}],
)
def test_bad_id_token_is_authentication_failed(client: TestClient, idp: FakeIdp, override: dict) -> None:  # type: ignore[type-arg]
    idp.id_overrides = override
    response = complete_login(client, idp)
    assert response.status_code == 400
    assert response.json() == {"error": "Authentication failed"}


def test_jwks_unreachable_is_502(client: TestClient, idp: FakeIdp) -> None:
    idp.jwks_reachable = False
    response = complete_login(client, idp)
    assert response.status_code == 502
    assert response.json() == {"error": "Identity provider unavailable"}


def test_store_failure_is_500(client: TestClient, idp: FakeIdp, store: FakeStore) -> None:
    store.fail = True
    response = complete_login(client, idp)
    assert response.status_code == 500
    assert response.json() == {"error": "Internal error"}
    assert "hhl_access_token" not in set_cookie_headers(response) and _txn_cleared(response)
