"""Defective replacements for the backend's auth seams: the `backend.*` auth faults of SPEC §10.

Each reproduces what the real deployment did (SPEC §3.4 "Real deployment" notes), so the harness meets the
defect the way it met it in production.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable

import jwt
from hhl_backend.auth.cookies import ACCESS_COOKIE, REFRESH_COOKIE, CookieSpec
from hhl_backend.auth.redirects import DEFAULT_REDIRECT, MAX_REDIRECT_LENGTH
from hhl_backend.auth.session import TokenSet
from hhl_backend.auth.transaction import TXN_MAX_AGE_S, IssuedTransaction, LoginTransaction, derive_key
from hhl_backend.config import Settings

_SESSION_COOKIES = (ACCESS_COOKIE, REFRESH_COOKIE)


class JwtStateCodec:
    """backend.state_as_jwt: `state` is an HS256 JWT carrying redirect and verifier: signed, not encrypted (the
    verifier is readable by anyone who sees the URL) and not bound to the browser (no cookie: login CSRF)."""

    def __init__(self, secret: bytes) -> None:
        self._key = derive_key(secret, b"hhl_state_jwt")

    def issue(self, txn: LoginTransaction) -> IssuedTransaction:
        claims = {
            "redirect_url": txn.redirect,
            "code_verifier": txn.verifier,
            "nonce": txn.nonce,
            "iat": txn.iat,
            "exp": txn.iat + TXN_MAX_AGE_S,
        }
        return IssuedTransaction(state=jwt.encode(claims, self._key, algorithm="HS256"), cookie_value=None)

    def recover(self, state: str, cookie_value: str | None) -> LoginTransaction | None:
        try:
            claims = jwt.decode(state, self._key, algorithms=["HS256"])
            return LoginTransaction(
                state=state,
                verifier=claims["code_verifier"],
                nonce=claims["nonce"],
                redirect=claims["redirect_url"],
                iat=int(claims["iat"]),
            )
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            return None


def jwt_state_codec(settings: Settings) -> JwtStateCodec:
    return JwtStateCodec(settings.auth_cookie_secret)


def leading_slash_sanitiser(raw: str | None) -> str:
    """backend.open_redirect: "starts with a slash = relative" misses `//evil.com` and `/\\evil.com`."""
    if not raw or len(raw) > MAX_REDIRECT_LENGTH or "://" in raw:
        return DEFAULT_REDIRECT
    return raw if raw.startswith("/") else DEFAULT_REDIRECT


def relative_location(settings: Settings, redirect: str) -> str:
    """backend.relative_callback_location: the Jan-2026 Location, resolved by the browser on the API host."""
    return redirect


def mock_code_bypass(code: str) -> TokenSet | None:
    """backend.test_bypass: ENABLE_TEST_BYPASS=true + `code=MOCK_*` issues mock session cookies, no IdP involved."""
    if not code.startswith("MOCK_"):
        return None
    return TokenSet(
        access_token="mock-access-" + secrets.token_hex(8), refresh_token="mock-refresh-" + secrets.token_hex(8)
    )


def weaken_session_cookies(policy: Callable[[str], CookieSpec], **changes: object) -> Callable[[str], CookieSpec]:
    def weakened(name: str) -> CookieSpec:
        spec = policy(name)
        return dataclasses.replace(spec, **changes) if name in _SESSION_COOKIES else spec  # type: ignore[arg-type]

    return weakened
