"""GET /auth/login (SPEC §3.4 steps 1–4): hosted-UI redirect with PKCE, the sealed txn cookie, the sanitiser."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hhl_backend.auth.redirects import sanitise_redirect
from starlette.testclient import TestClient

from tests.backend.auth_fakes import (
    CLIENT_ID,
    HOSTED_UI,
    SITE,
    FakeIdp,
    complete_login,
    set_cookie_headers,
    start_login,
)


def test_login_redirects_to_hosted_ui_with_pkce(client: TestClient) -> None:
    response = client.get("/auth/login", params={"redirect_url": "/learn/courses/x"})
    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    location = response.headers["location"]
    assert location.startswith(HOSTED_UI + "/oauth2/authorize?")
    assert "scope=openid+email+profile" in location
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "https://api.example.test/auth/callback"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) == 43 and len(query["nonce"]) == 43


def test_txn_cookie_flags(client: TestClient) -> None:
    line = set_cookie_headers(client.get("/auth/login"))["hhl_auth_txn"]
    attrs = [part.strip().lower() for part in line.split(";")[1:]]
    assert set(attrs) == {"max-age=600", "path=/auth", "httponly", "secure", "samesite=lax"}


def test_each_login_is_fresh_and_state_is_opaque(client: TestClient) -> None:
    first, state1, txn1 = start_login(client)
    second, state2, txn2 = start_login(client)
    challenge = [parse_qs(urlsplit(u).query)["code_challenge"][0] for u in (first, second)]
    assert challenge[0] != challenge[1] and state1 != state2 and txn1 != txn2
    # Opaque: random bytes, not a JWT or JSON that could carry the verifier.
    assert state1.count(".") == 0
    decoded = base64.urlsafe_b64decode(state1 + "=")
    with pytest.raises(ValueError):
        json.loads(decoded)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "https://evil.com/x",
        "//evil.com",
        "/\\evil.com",
        "/ok\\path",
        "javascript:alert(1)",
        "data:text/html,x",
        "JaVaScRiPt:alert(1)",
        "mailto:x@y",
        "/learn?next=https://evil.com",
        "/" + "a" * 500,
        "/learn\r\nSet-Cookie: x=1",
        "/learn\x00",
        "/learn\x7f",
        "/learn\tx",
    ],
)
def test_sanitiser_rejects_to_learn(raw: str | None) -> None:
    assert sanitise_redirect(raw) == "/learn"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/learn/courses/x", "/learn/courses/x"),
        ("learn/x", "/learn/x"),
        ("/learn?x=1#frag", "/learn?x=1#frag"),
        ("/" + "a" * 499, "/" + "a" * 499),
    ],
)
def test_sanitiser_keeps_site_paths(raw: str, expected: str) -> None:
    assert sanitise_redirect(raw) == expected


@pytest.mark.parametrize("raw", ["https://evil.com/x", "//evil.com", "/\\evil.com", "javascript:alert(1)", "a" * 600])
def test_open_redirect_forms_end_on_site_learn(client: TestClient, idp: FakeIdp, raw: str) -> None:
    response = complete_login(client, idp, redirect_url=raw)
    assert response.status_code == 302
    assert response.headers["location"] == SITE + "/learn"
