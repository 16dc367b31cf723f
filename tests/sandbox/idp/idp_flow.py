"""Test driver for the hosted-UI stand-in: a browser-like httpx client plus the OAuth steps the backend takes.

Redirects are never followed implicitly: each 302 is asserted, then the next request is made explicitly.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from starlette.types import ASGIApp

CALLBACK = "http://localhost:8401/auth/callback"
LOGOUT = "http://localhost:8400/learn"
PASSWORD = "Corr3ct-Horse-Battery!"

_CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')
_ERROR_MESSAGE = re.compile(r'id="loginErrorMessage"[^>]*>([^<]*)<')


@dataclass(frozen=True)
class Pool:
    """What the tests provisioned in moto (see conftest)."""

    pool_id: str
    clients: dict[str, str]  # role → client id: web, confidential, social, noflow, short, mutable
    secret: str  # the confidential client's secret
    users: dict[str, str]  # role → email: ann, plain, disabled, pending
    subs: dict[str, str]  # role → moto `sub`


@dataclass
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def login_error_message(html: str) -> str | None:
    match = _ERROR_MESSAGE.search(html)
    return match.group(1).strip() if match else None


def csrf_field(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "the login form carries no hidden _csrf field"
    return match.group(1)


@dataclass
class IdpDriver:
    base_url: str
    pool: Pool
    http: httpx.Client
    pkce: Pkce = field(default_factory=Pkce)
    state: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/{self.pool.pool_id}"

    def authorize_params(self, client: str = "web", **overrides: str | None) -> dict[str, str]:
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": self.pool.clients.get(client, client),
            "redirect_uri": CALLBACK,
            "scope": "openid email profile",
            "code_challenge": self.pkce.challenge,
            "code_challenge_method": "S256",
            "state": self.state,
            "nonce": self.nonce,
        }
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}

    def authorize(self, client: str = "web", **overrides: str | None) -> httpx.Response:
        return self.http.get("/oauth2/authorize", params=self.authorize_params(client, **overrides))

    def open_form(self, client: str = "web", **overrides: str | None) -> httpx.Response:
        """authorize → 302 /login?… → 200 form."""
        first = self.authorize(client, **overrides)
        assert first.status_code == 302, first.text
        assert first.headers["location"].startswith("/login?")
        form = self.http.get(first.headers["location"])
        assert form.status_code == 200, form.text
        return form

    def submit(self, form: httpx.Response, username: str, password: str, csrf: str | None = None) -> httpx.Response:
        data = {"_csrf": csrf if csrf is not None else csrf_field(form.text), "username": username}
        data["password"] = password
        data["signInSubmitButton"] = "Sign in"
        return self.http.post(str(form.url), data=data)

    def sign_in(self, role: str = "ann", client: str = "web", **overrides: str | None) -> str:
        """The whole hosted-UI login (or none, when the `cognito` session is live); returns the authorization code."""
        response = self.authorize(client, **overrides)
        if response.headers.get("location", "").startswith("/login?"):
            form = self.http.get(response.headers["location"])
            response = self.submit(form, self.pool.users[role], PASSWORD)
        assert response.status_code == 302, login_error_message(response.text)
        location = response.headers["location"]
        assert location.startswith(overrides.get("redirect_uri") or CALLBACK)
        query = query_of(location)
        assert query["state"] == self.state
        return query["code"]

    def exchange(self, auth_code: str, client: str = "web", **overrides: str | None) -> httpx.Response:
        data: dict[str, str | None] = {
            "grant_type": "authorization_code",
            "client_id": self.pool.clients.get(client, client),
            "code": auth_code,
            "redirect_uri": CALLBACK,
            "code_verifier": self.pkce.verifier,
        }
        data.update(overrides)
        return self.http.post("/oauth2/token", data={k: v for k, v in data.items() if v is not None})

    def tokens(self, role: str = "ann", client: str = "web") -> dict:
        response = self.exchange(self.sign_in(role, client), client)
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, refresh_token: str, client: str = "web") -> httpx.Response:
        data = {"grant_type": "refresh_token", "client_id": self.pool.clients[client], "refresh_token": refresh_token}
        return self.http.post("/oauth2/token", data=data)

    def hook(self, method: str, path: str, json: dict | None = None) -> dict:
        response = self.http.request(method, f"/__standin/{path}", json=json)
        assert response.status_code == 200, response.text
        return response.json()

    def jwks_client(self) -> jwt.PyJWKClient:
        # No caching: rotation tests must see the JWKS as served now.
        return jwt.PyJWKClient(f"{self.issuer}/.well-known/jwks.json", cache_jwk_set=False, timeout=5)

    def verify_id(self, token: str, client: str = "web") -> dict:
        key = self.jwks_client().get_signing_key_from_jwt(token)
        return jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=self.pool.clients[client],
            issuer=self.issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )

    def verify_access(self, token: str) -> dict:
        key = self.jwks_client().get_signing_key_from_jwt(token)
        return jwt.decode(
            token, key.key, algorithms=["RS256"], issuer=self.issuer, options={"require": ["exp", "iat", "sub", "iss"]}
        )


def asgi_request(app: ASGIApp, client_host: str, method: str, url: str, **kwargs: object) -> httpx.Response:
    """One in-process request as if it came from `client_host` (what the loopback check looks at)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://idp.test") as client:
            return await client.request(method, url, **kwargs)

    # A thread of its own: pytest-playwright's sync API may already run an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, send()).result()
