"""Login flows stepped hop by hop with the curl-style client, so every redirect is asserted and transcribed:
`/auth/login` → hosted-UI authorize → login form → code → `/auth/callback` (the steps of checks/login.py, whose
failures become the check's findings here). Also the direct code flow at the
hosted UI (our own PKCE, token exchange at `<domain>/oauth2/token`, never through the backend) and the sandbox
stand-in's loopback fault switches.

Cookies are passed per request, never carried on the client: the hosted UI's session cookie must not leak into
the next login (it would skip the form), and session cookies must not reach the IdP.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from checks import login
from checks.errors import CheckFailure, HarnessError, LoginBrokenByBackend, LoginFailed, LoginRefused
from checks.http import HttpClient, Response
from checks.login import LoginStart
from checks.secrets import register_secret
from environments import Environment
from suites.api.helpers import query_of, require


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@dataclass(frozen=True)
class CompletedLogin:
    start: LoginStart
    callback_url: str  # the hosted UI's redirect: <callback>?code=…&state=…
    callback: Response  # the backend's answer to it (asserted by the caller)


def _as_finding(failure: LoginFailed) -> Exception:
    """In a check the login is the subject: a refusal or a backend hop that breaks it is the target's failure (a
    finding); rejected credentials stay the harness's error (its input)."""
    if isinstance(failure, (LoginRefused, LoginBrokenByBackend)):
        return CheckFailure(str(failure))
    return failure


def start_login(api: HttpClient, redirect_url: str | None = "/learn") -> LoginStart:
    try:
        start = login.start_login(api, "/auth/login", redirect_url)
    except LoginFailed as failure:
        raise _as_finding(failure) from None
    return dataclasses.replace(start, params=query_of(start.authorize_url))  # a repeated parameter is a finding


def code_from_hosted_ui(http: HttpClient, authorize_url: str, user: Credentials) -> str:
    """authorize → /login form → POST credentials → the redirect carrying `code` (returned, not followed)."""
    try:
        return login.hosted_ui_code(http, authorize_url, username=user.username, password=user.password)
    except LoginFailed as failure:
        raise _as_finding(failure) from None


def complete_login(api: HttpClient, start: LoginStart, user: Credentials) -> CompletedLogin:
    """The hosted-UI part, then the backend callback with this browser's transaction cookie."""
    callback_url = code_from_hosted_ui(api, start.authorize_url, user)
    callback = api.get(callback_url, cookies=start.txn_cookie)
    for cookie in callback.set_cookies.values():
        if cookie.value:
            register_secret(cookie.value)
    return CompletedLogin(start, callback_url, callback)


def fresh_login(api: HttpClient, user: Credentials, redirect_url: str | None = "/learn") -> CompletedLogin:
    return complete_login(api, start_login(api, redirect_url), user)


def callback_with_code(api: HttpClient, code: str) -> Response:
    """`/auth/callback` with a code of the caller's choosing, but a real login's state and transaction cookie, so
    only the code can make it fail."""
    start = start_login(api)
    return api.get("/auth/callback", params={"code": code, "state": start.params["state"]}, cookies=start.txn_cookie)


# --- direct code flow at the hosted UI (never through the backend) ----------------------------------------------


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def direct_tokens(
    http: HttpClient, domain: str, *, client_id: str, redirect_uri: str, user: Credentials
) -> dict[str, Any]:
    """A code flow of our own for `client_id`: PKCE, sign-in, exchange at `<domain>/oauth2/token`."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "nonce": nonce,
    }
    callback_url = code_from_hosted_ui(http, f"{domain.rstrip('/')}/oauth2/authorize?{urlencode(query)}", user)
    returned = query_of(callback_url)
    require(returned.get("state") == state, "the hosted UI returned another state than the one sent")
    exchange = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": returned["code"],
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return token_request(http, domain, exchange)


def own_client_tokens(http: HttpClient, env: Environment, user: Credentials) -> dict[str, Any]:
    """`direct_tokens` for the environment's own app client and callback: tokens as the backend would get them."""
    return direct_tokens(
        http,
        env.required("cognito.domain"),
        client_id=env.required("cognito.client_id"),
        redirect_uri=env.required("cognito.callback_url"),
        user=user,
    )


def token_request(http: HttpClient, domain: str, form: dict[str, str]) -> dict[str, Any]:
    """POST `<domain>/oauth2/token`; a non-200 is a harness error (the IdP is not the subject of these checks)."""
    response = http.post(f"{domain.rstrip('/')}/oauth2/token", data=form)
    body = response.json_or_none()
    if response.status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise HarnessError(f"token endpoint: expected 200 with tokens, got {response.describe()}")
    for name in ("id_token", "access_token", "refresh_token"):
        if body.get(name):
            register_secret(body[name])
    return body


def refresh_grant(http: HttpClient, domain: str, client_id: str, refresh_token: str) -> Response:
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    return http.post(f"{domain.rstrip('/')}/oauth2/token", data=form)


# --- the sandbox stand-in's loopback hooks (SPEC §9) -------------------------------------------------------------


@contextlib.contextmanager
def standin_faults(http: HttpClient, domain: str, switches: dict[str, Any], *, user: str) -> Iterator[None]:
    """Set the stand-in's fault switches for `user`'s grants for the block and always clear them (a leftover switch
    would break every later check). Scoped to the user: other workers and runs on the same stand-in never see them."""
    url = f"{domain.rstrip('/')}/__standin/faults?{urlencode({'user': user})}"
    response = http.post(url, json=switches)
    if response.status != 200:
        raise HarnessError(f"stand-in fault hook: expected 200, got {response.describe()}")
    try:
        yield
    finally:
        cleared = http.request("DELETE", url)
        if cleared.status != 200:
            raise HarnessError(f"stand-in fault hook: could not clear the switches: {cleared.describe()}")
