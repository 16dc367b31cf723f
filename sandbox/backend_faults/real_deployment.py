"""Defective replacements reproducing documented weaknesses of the real deployment (SPEC §3 "Real deployment" notes).

Each is planted through one `Seams` field, so the harness meets the defect the way it would meet the real system:
a quiz that always passes (§3.12), IdP failures as 500s (§3.4), no silent refresh on the Jan-2026 stage (§3.6),
logout without revocation (§3.7), JSON labelled `text/plain` (§3.1), no OIDC nonce (§3.4), data routes that never read
the session (§3.8), the legacy email-only `POST /auth/login` (§3.1), a sanitiser that lets `/\\evil.com` through
(§3.4) and no `nosniff` (§3.1). `backend.cookie_domain` (the Jan-2026 cookie Domain, §3.3) is planted through the
backend's own COOKIE_DOMAIN setting (sandbox/compose.py). `backend.no_payload_cap` is the exception: a plausible
regression of the §3.9 cap, not a documented real weakness.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import jwt
from hhl_backend.auth.idp import IdpClient, IdpRejected
from hhl_backend.auth.redirects import DEFAULT_REDIRECT, MAX_REDIRECT_LENGTH
from hhl_backend.auth.session import TokenSet
from hhl_backend.auth.transaction import LoginTransaction, derive_key
from hhl_backend.config import Settings
from hhl_backend.identity import Identity
from hhl_backend.seams import hosted_ui_client
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

REAL_JSON_CONTENT_TYPE = "text/plain; charset=utf-8"
LEGACY_TOKEN_TTL_S = 24 * 3600  # the legacy login's HS256 token lives a day (SPEC §3.1 real)
LEGACY_KEY_INFO = b"hhl_legacy_login"


def always_pass(request: Request, quiz: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """backend.quiz_always_passes: the real /quiz/grade answers full marks whatever was answered and stores nothing."""
    return {"score": 100, "pass": True}


def every_failure_is_500(exc: Exception) -> tuple[int, str]:
    """backend.idp_errors_500: a bogus code, a bad token and an IdP outage all end in one 500 (SPEC §3.4 real)."""
    return 500, "Authentication failed"


def no_nonce(txn: LoginTransaction) -> str | None:
    """backend.no_nonce: the transaction holds a nonce, but it is never sent to /oauth2/authorize nor checked."""
    return None


class NoRefreshIdpClient(IdpClient):
    """backend.no_silent_refresh: the Jan-2026 stage had no refresh path, so a learner whose access token expired
    went anonymous after an hour. Modelled as a refresh that never reaches the IdP and never succeeds."""

    def refresh(self, refresh_token: str) -> TokenSet:
        raise IdpRejected("this stage does not refresh sessions")


class NoRevocationIdpClient(IdpClient):
    """backend.no_revocation: logout clears the cookies but never calls /oauth2/revoke, so a copied refresh token
    keeps minting access tokens for its 30 days."""

    def revoke(self, refresh_token: str) -> bool:
        return False


# Fault name → the IdP client subclass that plants it; several combine by multiple inheritance.


def with_idp_defect(factory: Any, defect: type[IdpClient]) -> Any:
    """`factory` (the seam's current `idp_client_factory`) with `defect` added to those it already plants: several
    defects mix into one client class."""
    defects = (*getattr(factory, "defects", ()), defect)
    planted = defective_idp_client_factory(defects)
    planted.defects = defects
    return planted


def defective_idp_client_factory(defects: tuple[type[IdpClient], ...]) -> Any:
    """An `idp_client_factory` building the hosted-UI client with every defect in `defects` planted."""
    cls = defects[0] if len(defects) == 1 else type("DefectiveIdpClient", defects, {})

    def factory(settings: Settings, http: httpx.Client) -> IdpClient:
        return hosted_ui_client(settings, http, cls)

    return factory


def _legacy_key(settings: Settings) -> bytes:
    return derive_key(settings.auth_cookie_secret, LEGACY_KEY_INFO)


async def email_only_login(request: Request) -> Response:
    """backend.email_only_login: the legacy `POST /auth/login {"email"}` of the real deployment. No password: anyone
    who knows a known contact's email gets a 24 h HS256 token the data routes accept as that user."""
    from sandbox.backend_faults.data import find_sub_by_email  # the users GSI1 lookup the real code did

    try:
        body = await request.json()
    except ValueError:
        body = None
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or "@" not in email:
        return JSONResponse({"error": "email is required"}, status_code=400)
    sub = find_sub_by_email(request.app.state.store, email)
    if sub is None:
        return JSONResponse({"error": "User not found"}, status_code=404)
    now = int(time.time())
    claims = {"sub": sub, "email": email, "iat": now, "exp": now + LEGACY_TOKEN_TTL_S}
    token = jwt.encode(claims, _legacy_key(request.app.state.settings), algorithm="HS256")
    return JSONResponse({"token": token, "expiresIn": LEGACY_TOKEN_TTL_S})


def legacy_bearer_identity(request: Request) -> Identity | None:
    """backend.data_ignores_session: the data routes never read the Cognito session, neither the `hhl_access_token`
    cookie nor a Cognito Bearer; the only credential they accept is the legacy HS256 Bearer (SPEC §3.8 real). With
    backend.email_identity also planted, a caller-asserted email then decides whose data it is."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    try:
        claims = jwt.decode(value.strip(), _legacy_key(request.app.state.settings), algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return Identity(sub=sub, email=claims.get("email")) if isinstance(sub, str) and sub else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def backslash_blind_sanitiser(raw: str | None) -> str:
    """backend.backslash_redirect: the Jan-2026 sanitiser. It refuses what the reference refuses (absent, too long,
    control characters, `//`, `://`, schemes) except a backslash, so `/\\evil.com` passes, which browsers read as
    the protocol-relative `//evil.com`."""
    if not raw or len(raw) > MAX_REDIRECT_LENGTH:
        return DEFAULT_REDIRECT
    if _CONTROL.search(raw) or raw.startswith("//") or "://" in raw or _SCHEME.match(raw):
        return DEFAULT_REDIRECT
    return raw if raw.startswith("/") else "/" + raw
