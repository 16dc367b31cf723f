"""GET /auth/me (SPEC §3.6) and token validation (SPEC §3.5): every bad token is a 401 that touches no cookie."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from starlette.testclient import TestClient

from tests.backend.auth_fakes import CLIENT_ID, ISSUER, FakeIdp, FakeStore, set_cookie_headers, signing_key

INVALID = {"error": "Unauthorized: Invalid or expired token"}
CHALLENGE = 'Bearer realm="Hedgehog Learn"'


@pytest.fixture
def signed_in(store: FakeStore) -> FakeStore:
    store.upsert_user_profile("user-1", {"email": "Learner@Example.test", "name": "Ada Learner", "given_name": "Ada"})
    return store


def _me(client: TestClient, token: str | None = None, *, bearer: str | None = None, refresh: str | None = None):  # type: ignore[no-untyped-def]
    cookies = []
    if token is not None:
        cookies.append(f"hhl_access_token={token}")
    if refresh is not None:
        cookies.append(f"hhl_refresh_token={refresh}")
    headers = {"cookie": "; ".join(cookies)} if cookies else {}
    if bearer is not None:
        headers["authorization"] = f"Bearer {bearer}"
    return client.get("/auth/me", headers=headers)


def _assert_401(response, body: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response.json() == body
    assert response.headers["www-authenticate"] == CHALLENGE
    assert "set-cookie" not in response.headers


def test_profile_from_cookie(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    response = _me(client, idp.access_token())
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store, private"
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "userId": "user-1",
        "email": "learner@example.test",
        "displayName": "Ada Learner",
        "givenName": "Ada",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
    }  # familyName "" is valueless → omitted
    assert _me(client, idp.access_token()).json() == body  # identical on repeat


def test_profile_from_bearer(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    assert _me(client, bearer=idp.access_token()).status_code == 200


def test_missing_token(client: TestClient) -> None:
    _assert_401(_me(client), {"error": "Unauthorized: Missing access token"})


def _forged(idp: FakeIdp) -> dict[str, str]:
    claims = idp.access_claims()
    other_key = signing_key(1)
    now = int(time.time())
    return {
        "invalid.jwt.token": "invalid.jwt.token",
        "not-a-jwt-token": "not-a-jwt-token",
        "5000 chars": "a" * 5000,
        "oversized valid": idp.access_token(padding="x" * 4100),
        "expired": idp.access_token(exp=now - 60, iat=now - 3700),
        "no exp": idp.access_token(exp=None),
        "no iat": idp.access_token(iat=None),
        "future iat": idp.access_token(iat=now + 600),
        "wrong iss": idp.access_token(iss="https://evil.example/pool"),
        "other client": idp.access_token(client_id="hedgehog-learn-other"),
        "id token as access": idp.id_token("user-1", None),
        "HS256": jwt.encode(claims, "secret-secret-secret-secret-secret", algorithm="HS256", headers={"kid": idp.kid}),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": idp.kid}),
        "no kid": jwt.encode(claims, idp.key, algorithm="RS256"),
        "unknown kid": jwt.encode(claims, idp.key, algorithm="RS256", headers={"kid": "kid-unknown"}),
        "forged signature": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": idp.kid}),
        "RS512": jwt.encode(claims, idp.key, algorithm="RS512", headers={"kid": idp.kid}),
    }


def test_invalid_tokens_are_401(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    for name, token in _forged(idp).items():
        for response in (_me(client, token), _me(client, bearer=token)):
            assert response.status_code == 401, name
            _assert_401(response, INVALID)


def test_concurrent_invalid_tokens(client: TestClient, idp: FakeIdp) -> None:
    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda _: _me(client, "invalid.jwt.token"), range(10)))
    assert [r.status_code for r in responses] == [401] * 10


def test_token_without_sub(client: TestClient, idp: FakeIdp) -> None:
    _assert_401(_me(client, idp.access_token(sub=None)), {"error": "Unauthorized: Invalid token payload"})


def test_unknown_kid_refetch_is_rate_limited(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    assert _me(client, idp.access_token()).status_code == 200
    assert idp.jwks_fetches == 1
    unknown = jwt.encode(idp.access_claims(), idp.key, algorithm="RS256", headers={"kid": "kid-rotated"})
    for _ in range(5):
        _assert_401(_me(client, unknown), INVALID)
    assert idp.jwks_fetches == 2  # one refetch, then at most one per 60 s


def test_rotated_key_found_by_refetch(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    assert _me(client, idp.access_token()).status_code == 200
    idp.key, idp.kid = signing_key(2), "kid-2"
    assert _me(client, idp.access_token()).status_code == 200
    assert idp.jwks_fetches == 2


def test_jwks_unreachable_is_invalid_token(client: TestClient, idp: FakeIdp) -> None:
    idp.jwks_reachable = False
    _assert_401(_me(client, idp.access_token()), INVALID)


def test_silent_refresh(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    idp.refresh_tokens["r-1"] = "user-1"
    now = int(time.time())
    for access in (None, idp.access_token(exp=now - 60, iat=now - 3700)):
        response = _me(client, access, refresh="r-1")
        assert response.status_code == 200
        assert response.json()["userId"] == "user-1"
        line = set_cookie_headers(response)["hhl_access_token"]
        assert "Max-Age=3600" in line and "Path=/" in line and "HttpOnly" in line
        assert "hhl_refresh_token" not in set_cookie_headers(response)  # the IdP issued no new one
    assert idp.token_requests[-1] == {"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": "r-1"}


@pytest.mark.parametrize("mode", ["ok", "500", "timeout"])
def test_failed_refresh_is_invalid_token(client: TestClient, idp: FakeIdp, mode: str) -> None:
    idp.token_mode = mode  # "ok" with an unknown refresh token → invalid_grant
    _assert_401(_me(client, refresh="revoked-or-unknown"), INVALID)


def test_user_without_profile_is_404(client: TestClient, idp: FakeIdp) -> None:
    response = _me(client, idp.access_token(sub="nobody"))
    assert response.status_code == 404
    assert response.json() == {"error": "User not found"}


def test_store_failure_is_500(client: TestClient, idp: FakeIdp, store: FakeStore) -> None:
    store.fail = True
    response = _me(client, idp.access_token())
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}


def test_issuer_is_compared_exactly(client: TestClient, idp: FakeIdp, signed_in: FakeStore) -> None:
    _assert_401(_me(client, idp.access_token(iss=ISSUER + "/")), INVALID)
