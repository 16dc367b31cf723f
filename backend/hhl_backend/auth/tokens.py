"""Cognito token validation (SPEC §3.5) with PyJWT and a per-process JWKS cache.

The cache is small and our own (around PyJWT's PyJWKSet) because the refetch rule is specific: keys live 3600 s and
an unknown `kid` triggers one immediate refetch. The 60 s limit applies per kid: a kid that stayed unknown after a
refetch is refused without another one for 60 s. A global rate limit instead ("one refetch per 60 s") would let one
forged kid, sent seconds before a key rotation, lock every new login out for a minute; what bounds a flood of
*distinct* forged kids is a short global gap between refetches (at most one per second per process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx
import jwt

MAX_TOKEN_BYTES = 4096
JWKS_TTL_S = 3600.0
UNKNOWN_KID_REFETCH_INTERVAL_S = 60.0  # per kid: one that stayed unknown after a refetch is not retried sooner
MIN_REFETCH_GAP_S = 1.0  # across kids: bounds the IdP load a flood of distinct forged kids can cause
MAX_UNKNOWN_KIDS = 1024  # the remembered unknown kids (oldest forgotten first)
LEEWAY_S = 5


class InvalidToken(Exception):
    """The token is not acceptable. The message is a fixed reason, never the token."""


class MissingSubject(InvalidToken):
    """A correctly signed token without `sub` (/auth/me reports it as an invalid payload)."""


class JwksUnavailable(Exception):
    """The JWKS endpoint did not answer with a usable key set."""


class JwksCache:
    def __init__(
        self, url: str, client: httpx.Client, *, timeout_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._url = url
        self._client = client
        self._timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._last_kid_refetch: float | None = None
        self._unknown: dict[str, float] = {}  # kid → when a refetch last failed to find it

    def _fetch(self) -> None:
        try:
            response = self._client.get(self._url, timeout=self._timeout_s)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise JwksUnavailable(f"JWKS fetch failed: {type(exc).__name__}") from None
        self._keys = {k.key_id: k for k in key_set.keys if k.key_id}
        self._fetched_at = self._clock()

    def _may_refetch_for(self, kid: str, now: float) -> bool:
        """Whether an unknown `kid` may trigger a refetch now (SPEC §3.5, per-kid limit and global gap)."""
        failed_at = self._unknown.get(kid)
        if failed_at is not None and now - failed_at < UNKNOWN_KID_REFETCH_INTERVAL_S:
            return False
        return self._last_kid_refetch is None or now - self._last_kid_refetch >= MIN_REFETCH_GAP_S

    def _remember_unknown(self, kid: str, now: float) -> None:
        self._unknown.pop(kid, None)
        while len(self._unknown) >= MAX_UNKNOWN_KIDS:
            self._unknown.pop(next(iter(self._unknown)))
        self._unknown[kid] = now

    def key_for(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= JWKS_TTL_S:
                self._fetch()  # a fresh key set: an unknown kid stays unknown without a second request
                fresh = True
            else:
                fresh = False
            if kid in self._keys:
                return self._keys[kid]
            if not fresh and self._may_refetch_for(kid, now):
                self._last_kid_refetch = now
                self._fetch()
                if kid in self._keys:
                    self._unknown.pop(kid, None)
                    return self._keys[kid]
                fresh = True
            if fresh:
                self._remember_unknown(kid, now)
        raise InvalidToken("unknown signing key")


class TokenVerifier:
    """Validates Cognito ID and access tokens for one app client."""

    def __init__(self, *, issuer: str, client_id: str, jwks: JwksCache) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks = jwks

    def _decode(self, token: str, token_use: Literal["id", "access"]) -> dict[str, Any]:
        if not token or len(token.encode("utf-8", errors="replace")) > MAX_TOKEN_BYTES:
            raise InvalidToken("token missing or too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("unparseable token") from None
        kid = header.get("kid")
        # Only RS256 with a kid: rejects `none`, HS* (key confusion) and everything else before any key lookup.
        if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
            raise InvalidToken("algorithm or kid not accepted")
        key = self._jwks.key_for(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self._issuer,
                audience=self._client_id if token_use == "id" else None,
                leeway=LEEWAY_S,
                # Cognito access tokens carry no `aud`: their client binding is the `client_id` claim instead.
                options={"require": ["exp", "iat", "iss"], "verify_aud": token_use == "id"},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"token rejected: {type(exc).__name__}") from None
        if claims.get("token_use") != token_use:
            raise InvalidToken("wrong token_use")
        if token_use == "access" and claims.get("client_id") != self._client_id:
            raise InvalidToken("wrong client_id")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise MissingSubject("no sub claim")
        return claims

    def verify_access(self, token: str) -> dict[str, Any]:
        return self._decode(token, "access")

    def verify_id(self, token: str, *, nonce: str | None) -> dict[str, Any]:
        """The ID token's claims; `nonce` must equal the token's, except None: no nonce was sent, none is checked."""
        claims = self._decode(token, "id")
        if nonce is not None and claims.get("nonce") != nonce:
            raise InvalidToken("nonce mismatch")
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise InvalidToken("email missing")
        return claims
