"""Test doubles for the auth half: a fake hosted UI (token/revoke/JWKS over httpx.MockTransport), an in-memory
profile store, and helpers that drive a login. Imported by conftest.py and the tests."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

API = "https://api.example.test"
SITE = "https://site.example.test"
HOSTED_UI = "https://login.example.test"
ISSUER = "https://idp.example.test/us-west-2_TEST"
CLIENT_ID = "test-client-id"


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        "APP_STAGE": "local",
        "SITE_BASE_URL": SITE,
        "AUTH_COOKIE_SECRET": base64.b64encode(b"k" * 32).decode(),
        "COGNITO_USER_POOL_ID": "us-west-2_TEST",
        "COGNITO_CLIENT_ID": CLIENT_ID,
        "COGNITO_DOMAIN": HOSTED_UI,
        "COGNITO_REDIRECT_URI": API + "/auth/callback",
        "COGNITO_ISSUER": ISSUER,
        "DYNAMODB_USERS_TABLE": "hedgehog-learn-users-local",
        "DYNAMODB_ENROLLMENTS_TABLE": "hedgehog-learn-enrollments-local",
        "DYNAMODB_PROGRESS_TABLE": "hedgehog-learn-progress-local",
        "DYNAMODB_BADGES_TABLE": "hedgehog-learn-badges-local",
    }
    env.update(overrides)
    return env


@functools.cache
def signing_key(index: int = 0) -> rsa.RSAPrivateKey:
    """RSA keys are slow to generate: one per index per test session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass(repr=False)
class FakeIdp:
    """The hosted UI's token, revoke and JWKS endpoints; `token_mode` switches the token endpoint's failure mode."""

    def __repr__(self) -> str:
        # Keeps codes and refresh tokens out of pytest's failure output.
        return f"FakeIdp(kid={self.kid!r}, token_mode={self.token_mode!r}, jwks_reachable={self.jwks_reachable})"

    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = "kid-1"
    token_mode: str = "ok"  # ok | 400 | 500 | timeout | connect | non_json
    jwks_reachable: bool = True
    revoke_down: bool = False
    jwks_fetches: int = 0
    token_requests: list[dict[str, str]] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token → sub
    id_overrides: dict[str, Any] = field(default_factory=dict)

    def mint(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid, **(headers or {})})

    def access_claims(self, sub: str = "user-1", **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "sub": sub,
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "scope": "openid email profile",
            "username": sub,
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def access_token(self, sub: str = "user-1", **overrides: Any) -> str:
        return self.mint(self.access_claims(sub, **overrides))

    def id_token(self, sub: str, nonce: str | None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "aud": CLIENT_ID,
            "iss": ISSUER,
            "token_use": "id",
            "email": "learner@example.test",
            "email_verified": True,
            "cognito:username": sub,
            "name": "Ada Learner",
            "given_name": "Ada",
            "family_name": "Learner",
            "nonce": nonce,
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return self.mint({k: v for k, v in claims.items() if v is not None})

    def issue_code(self, authorize_url: str, sub: str = "user-1") -> str:
        """What the hosted UI does after a successful sign-in: a single-use code bound to challenge and nonce."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"challenge": query["code_challenge"], "nonce": query["nonce"], "sub": sub}
        return code

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _token(self, form: dict[str, str]) -> httpx.Response:
        self.token_requests.append(form)
        if self.token_mode == "400":
            return httpx.Response(400, json={"error": "invalid_grant"})
        if self.token_mode == "500":
            return httpx.Response(500, json={"error": "server_error"})
        if self.token_mode == "non_json":
            return httpx.Response(200, text="<html>gateway</html>")
        if form.get("grant_type") == "refresh_token":
            sub = self.refresh_tokens.get(form.get("refresh_token", ""))
            if sub is None or form["refresh_token"] in self.revoked:
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(
                200, json={"access_token": self.access_token(sub), "id_token": "x", "expires_in": 3600}
            )
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = grant["sub"]
        return httpx.Response(
            200,
            json={
                "id_token": self.id_token(grant["sub"], **{"nonce": grant["nonce"], **self.id_overrides}),
                "access_token": self.access_token(grant["sub"]),
                "refresh_token": refresh,
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == ISSUER + "/.well-known/jwks.json":
            self.jwks_fetches += 1
            if not self.jwks_reachable:
                raise httpx.ConnectError("unreachable", request=request)
            return httpx.Response(200, json=self.jwks())
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if url == HOSTED_UI + "/oauth2/token":
            if self.token_mode in ("timeout", "connect"):
                error = httpx.ReadTimeout if self.token_mode == "timeout" else httpx.ConnectError
                raise error("idp down", request=request)
            return self._token(form)
        if url == HOSTED_UI + "/oauth2/revoke":
            if self.revoke_down:
                raise httpx.ConnectTimeout("revoke down", request=request)
            self.revoked.add(form.get("token", ""))
            return httpx.Response(200)
        return httpx.Response(404, json={"message": "Not Found"})


class FakeStore:
    """In-memory stand-in for `hhl_backend.store.Store`'s profile methods (the auth half's only store calls)."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict[str, Any]] = {}
        self.fail = False

    def upsert_user_profile(self, sub: str, claims: dict[str, Any]) -> None:
        if self.fail:
            raise RuntimeError("dynamodb down")
        now = "2026-01-01T00:00:00.000Z"
        existing = self.profiles.get(sub, {"createdAt": now})
        email = claims["email"]
        self.profiles[sub] = {
            **existing,
            "userId": sub,
            "email": email.lower(),
            "displayName": claims.get("name") or email.split("@")[0],
            "givenName": claims.get("given_name", ""),
            "familyName": claims.get("family_name", ""),
            "updatedAt": now,
        }

    def get_user_profile(self, sub: str) -> dict[str, Any] | None:
        if self.fail:
            raise RuntimeError("dynamodb down")
        return self.profiles.get(sub)


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie header lines by cookie name."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


def cookie_value(set_cookie_line: str) -> str:
    return set_cookie_line.split(";", 1)[0].split("=", 1)[1].strip('"')


def start_login(client: TestClient, redirect_url: str | None = "/learn/courses/x") -> tuple[str, str, str]:
    """GET /auth/login → (authorize URL, state, txn cookie value)."""
    params = {"redirect_url": redirect_url} if redirect_url is not None else {}
    response = client.get("/auth/login", params=params)
    assert response.status_code == 302
    location = response.headers["location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    txn_line = set_cookie_headers(response).get("hhl_auth_txn")
    return location, state, cookie_value(txn_line) if txn_line else ""


def complete_login(client: TestClient, idp: FakeIdp, redirect_url: str = "/learn/courses/x") -> httpx.Response:
    """The whole browser login: /auth/login, hosted-UI sign-in, /auth/callback with the txn cookie."""
    location, state, txn = start_login(client, redirect_url)
    code = idp.issue_code(location)
    return client.get(
        "/auth/callback", params={"code": code, "state": state}, headers={"cookie": f"hhl_auth_txn={txn}"}
    )
