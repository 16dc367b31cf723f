"""SPEC §9 codes, `POST /oauth2/token`, `/oauth2/revoke`, `/oauth2/userInfo` and the discovery documents.

Every minted token is verified with PyJWT against the JWKS the stand-in serves, claim by claim.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from sandbox.idp import create_idp_app
from tests.sandbox.idp.idp_flow import IdpDriver, Pkce, asgi_request
from tests.sandbox.idp.idp_pool import REGION

ID_CLAIMS = {
    "sub",
    "aud",
    "iss",
    "token_use",
    "email",
    "email_verified",
    "cognito:username",
    "name",
    "given_name",
    "family_name",
    "nonce",
    "auth_time",
    "iat",
    "exp",
    "jti",
    "origin_jti",
    "event_id",
}
ACCESS_CLAIMS = {
    "sub",
    "iss",
    "client_id",
    "token_use",
    "scope",
    "username",
    "auth_time",
    "iat",
    "exp",
    "jti",
    "origin_jti",
    "event_id",
    "version",
}


def test_code_exchange_returns_the_documented_body(driver: IdpDriver) -> None:
    response = driver.exchange(driver.sign_in())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert response.headers["cache-control"] == "no-store"
    assert body["refresh_token"].count(".") == 0  # opaque, not a JWT


def test_id_token_claims(driver: IdpDriver) -> None:
    tokens = driver.tokens("ann")
    claims = driver.verify_id(tokens["id_token"])
    assert set(claims) == ID_CLAIMS
    pool = driver.pool
    assert claims["sub"] == pool.subs["ann"]
    assert claims["aud"] == pool.clients["web"]
    assert claims["iss"] == driver.issuer
    assert claims["token_use"] == "id"
    assert claims["email"] == pool.users["ann"]
    assert claims["email_verified"] is True
    assert claims["cognito:username"] == pool.subs["ann"]  # UsernameAttributes email: the username is the GUID
    assert (claims["name"], claims["given_name"], claims["family_name"]) == ("Ann Example", "Ann", "Example")
    assert claims["nonce"] == driver.nonce
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["auth_time"] - claims["iat"]) <= 5


def test_access_token_claims(driver: IdpDriver) -> None:
    tokens = driver.tokens("ann")
    claims = driver.verify_access(tokens["access_token"])
    assert set(claims) == ACCESS_CLAIMS  # no aud
    assert claims["sub"] == driver.pool.subs["ann"]
    assert claims["client_id"] == driver.pool.clients["web"]
    assert claims["token_use"] == "access"
    assert claims["scope"] == "openid email profile"
    assert claims["username"] == driver.pool.subs["ann"]
    assert claims["version"] == 2
    assert claims["exp"] - claims["iat"] == 3600
    id_claims = driver.verify_id(tokens["id_token"])
    assert claims["jti"] != id_claims["jti"]
    assert (claims["origin_jti"], claims["event_id"]) == (id_claims["origin_jti"], id_claims["event_id"])


def test_tokens_header_is_rs256_with_the_served_kid(driver: IdpDriver) -> None:
    tokens = driver.tokens()
    served = {key["kid"] for key in driver.http.get(f"/{driver.pool.pool_id}/.well-known/jwks.json").json()["keys"]}
    for token in (tokens["id_token"], tokens["access_token"]):
        header = driver.jwks_client().get_signing_key_from_jwt(token)
        assert header.key_id in served
        assert header.algorithm_name == "RS256"


def test_optional_name_claims_are_absent_when_unset(driver: IdpDriver) -> None:
    claims = driver.verify_id(driver.tokens("plain")["id_token"])
    assert not {"name", "given_name", "family_name"} & set(claims)
    assert claims["email"] == driver.pool.users["plain"]


def test_granted_scopes_are_the_requested_ones(driver: IdpDriver) -> None:
    code = driver.sign_in(scope="openid email")
    claims = driver.verify_access(driver.exchange(code).json()["access_token"])
    assert claims["scope"] == "openid email"


def test_lifetimes_come_from_the_client_settings(driver: IdpDriver) -> None:
    body = driver.tokens(client="short")
    assert body["expires_in"] == 300
    access = driver.verify_access(body["access_token"])
    identity = driver.verify_id(body["id_token"], client="short")
    assert access["exp"] - access["iat"] == 300
    assert identity["exp"] - identity["iat"] == 600


def test_wrong_verifier_is_invalid_grant_and_burns_the_code(driver: IdpDriver) -> None:
    code = driver.sign_in()
    response = driver.exchange(code, code_verifier=Pkce().verifier)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}
    assert driver.exchange(code).json() == {"error": "invalid_grant"}


def test_reused_code_is_invalid_grant(driver: IdpDriver) -> None:
    code = driver.sign_in()
    assert driver.exchange(code).status_code == 200
    second = driver.exchange(code)
    assert (second.status_code, second.json()) == (400, {"error": "invalid_grant"})


def test_expired_code_is_invalid_grant(driver: IdpDriver) -> None:
    code = driver.sign_in()
    driver.hook("POST", "clock", {"offset_s": 301})
    response = driver.exchange(code)
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_code_just_within_its_lifetime_is_accepted(driver: IdpDriver) -> None:
    code = driver.sign_in()
    driver.hook("POST", "clock", {"offset_s": 290})
    assert driver.exchange(code).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"redirect_uri": "http://localhost:8401/auth/callback/"},
        {"redirect_uri": None},
        {"code_verifier": None},
        {"code": "not-a-code"},
    ],
)
def test_code_exchange_mismatches_are_invalid_grant(driver: IdpDriver, overrides: dict[str, str | None]) -> None:
    code = driver.sign_in()
    response = driver.exchange(code, **overrides)
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_code_of_another_client_is_invalid_grant(driver: IdpDriver) -> None:
    code = driver.sign_in()
    response = driver.exchange(code, client="short")
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize("client_id", ["no-such-client", None])
def test_unknown_client_is_invalid_client(driver: IdpDriver, client_id: str | None) -> None:
    response = driver.exchange(driver.sign_in(), client_id=client_id)
    assert (response.status_code, response.json()) == (400, {"error": "invalid_client"})


def test_confidential_client_must_authenticate(driver: IdpDriver) -> None:
    code = driver.sign_in(client="confidential")
    bare = driver.exchange(code, client="confidential")
    assert (bare.status_code, bare.json()) == (400, {"error": "invalid_client"})
    wrong = driver.exchange(driver.sign_in(client="confidential"), client="confidential", client_secret="nope")
    assert wrong.json() == {"error": "invalid_client"}


def test_confidential_client_with_basic_auth_gets_tokens(driver: IdpDriver) -> None:
    client_id = driver.pool.clients["confidential"]
    basic = base64.b64encode(f"{client_id}:{driver.pool.secret}".encode()).decode()
    code = driver.sign_in(client="confidential")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": driver.authorize_params()["redirect_uri"]}
    data["code_verifier"] = driver.pkce.verifier
    response = driver.http.post("/oauth2/token", data=data, headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.text
    assert driver.verify_id(response.json()["id_token"], client="confidential")["aud"] == client_id


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", None])
def test_other_grants_are_unsupported(driver: IdpDriver, grant_type: str | None) -> None:
    response = driver.exchange("irrelevant", grant_type=grant_type)
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})


def test_refresh_gives_new_id_and_access_tokens_only(driver: IdpDriver) -> None:
    first = driver.tokens()
    response = driver.refresh(first["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type"}
    old, new = driver.verify_id(first["id_token"]), driver.verify_id(body["id_token"])
    assert "nonce" not in new
    assert new["sub"] == old["sub"]
    assert new["jti"] != old["jti"]
    for claim in ("origin_jti", "event_id", "auth_time"):
        assert new[claim] == old[claim]
    assert driver.verify_access(body["access_token"])["scope"] == "openid email profile"


@pytest.mark.parametrize("token", ["not-a-refresh-token", ""])
def test_unknown_refresh_token_is_invalid_grant(driver: IdpDriver, token: str) -> None:
    response = driver.refresh(token)
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_refresh_token_of_another_client_is_invalid_grant(driver: IdpDriver) -> None:
    refresh_token = driver.tokens()["refresh_token"]
    assert driver.refresh(refresh_token, client="short").json() == {"error": "invalid_grant"}


def revoke(driver: IdpDriver, token: str, client: str = "web") -> httpx.Response:
    return driver.http.post("/oauth2/revoke", data={"token": token, "client_id": driver.pool.clients[client]})


def test_refresh_after_revoke_is_invalid_grant(driver: IdpDriver) -> None:
    refresh_token = driver.tokens()["refresh_token"]
    response = revoke(driver, refresh_token)
    assert (response.status_code, response.content) == (200, b"")
    refreshed = driver.refresh(refresh_token)
    assert (refreshed.status_code, refreshed.json()) == (400, {"error": "invalid_grant"})


def test_revoke_of_an_unknown_token_is_still_200(driver: IdpDriver) -> None:
    response = revoke(driver, "unknown")
    assert (response.status_code, response.content) == (200, b"")


def test_revoke_by_another_client_does_not_revoke(driver: IdpDriver) -> None:
    refresh_token = driver.tokens()["refresh_token"]
    response = revoke(driver, refresh_token, client="short")
    assert response.status_code == 200
    assert driver.refresh(refresh_token).status_code == 200


def test_userinfo_answers_for_a_valid_access_token(driver: IdpDriver) -> None:
    access = driver.tokens("ann")["access_token"]
    response = driver.http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 200
    pool = driver.pool
    assert response.json() == {
        "sub": pool.subs["ann"],
        "email": pool.users["ann"],
        "email_verified": True,
        "username": pool.subs["ann"],
    }


@pytest.mark.parametrize("header", [None, "Bearer not.a.jwt", "Basic abc"])
def test_userinfo_refuses_missing_or_bad_tokens(driver: IdpDriver, header: str | None) -> None:
    response = driver.http.get("/oauth2/userInfo", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token"}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_userinfo_refuses_id_tokens_and_revoked_sessions(driver: IdpDriver) -> None:
    tokens = driver.tokens()
    as_id = driver.http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert as_id.status_code == 401
    assert revoke(driver, tokens["refresh_token"]).status_code == 200
    revoked = driver.http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert revoked.status_code == 401


def test_jwks_document(driver: IdpDriver) -> None:
    response = driver.http.get(f"/{driver.pool.pool_id}/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert set(key) == {"kty", "kid", "n", "e", "alg", "use"}
    assert (key["kty"], key["alg"], key["use"], key["e"]) == ("RSA", "RS256", "sig", "AQAB")


def test_openid_configuration_document(driver: IdpDriver) -> None:
    response = driver.http.get(f"/{driver.pool.pool_id}/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    base = driver.base_url
    assert doc["issuer"] == driver.issuer
    assert doc["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{base}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{base}/oauth2/userInfo"
    assert doc["revocation_endpoint"] == f"{base}/oauth2/revoke"
    assert doc["jwks_uri"] == f"{driver.issuer}/.well-known/jwks.json"
    assert doc["response_types_supported"] == ["code"]
    assert {"openid", "email", "profile"} <= set(doc["scopes_supported"])
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.parametrize("document", ["jwks.json", "openid-configuration"])
def test_discovery_of_another_pool_is_404(driver: IdpDriver, document: str) -> None:
    assert driver.http.get(f"/us-west-2_other/.well-known/{document}").status_code == 404


def test_discovery_of_a_deleted_pool_is_404(moto) -> None:
    """The pool is read from moto on each request: an issuer whose pool is gone publishes nothing."""
    app = create_idp_app(
        aws_endpoint_url=moto.url,
        region=REGION,
        user_pool_id="us-west-2_gone",
        public_base_url="http://127.0.0.1:8402",
    )
    for document in ("jwks.json", "openid-configuration"):
        assert asgi_request(app, "127.0.0.1", "GET", f"/us-west-2_gone/.well-known/{document}").status_code == 404
