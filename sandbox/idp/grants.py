"""In-memory grant state of the hosted-UI stand-in: the clock, authorization codes, refresh tokens and sessions.

Everything the stand-in remembers between requests lives here, behind one lock, because uvicorn runs the
moto calls of concurrent requests in worker threads.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

CODE_LIFETIME_S = 300  # SPEC §9: codes are single use and live 300 s
SESSION_LIFETIME_S = 3600  # SPEC §9: the `cognito` session cookie lives 1 h


class Clock:
    """Wall clock plus a test-controlled offset (the `/__standin/clock` hook), so expiry can be exercised."""

    def __init__(self) -> None:
        self.offset_s: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset_s


@dataclass(frozen=True)
class Principal:
    """Who authenticated: the moto user as read by AdminGetUser at sign-in."""

    username: str  # moto's Username (the GUID when the pool uses UsernameAttributes email)
    sub: str
    auth_time: int


@dataclass(frozen=True)
class AuthCode:
    """What a code was issued for; the token endpoint must see the same values again."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    scopes: tuple[str, ...]
    principal: Principal
    expires_at: float


@dataclass
class RefreshGrant:
    """An opaque refresh token's meaning. `origin_jti`/`event_id` are shared by every token minted from it."""

    client_id: str
    scopes: tuple[str, ...]
    principal: Principal
    origin_jti: str
    event_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class GrantStore:
    """Codes, refresh tokens and hosted-UI sessions, keyed by their random opaque values."""

    clock: Clock
    _codes: dict[str, AuthCode] = field(default_factory=dict)
    _refresh: dict[str, RefreshGrant] = field(default_factory=dict)
    _sessions: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    _revoked_origins: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keep(self, table: dict[str, Any], value: Any, *, nbytes: int) -> str:
        """Store `value` under a fresh random opaque key (`nbytes` of entropy) and return the key."""
        key = secrets.token_urlsafe(nbytes)
        with self._lock:
            table[key] = value
        return key

    # -- codes -----------------------------------------------------------------------------------------------
    def issue_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        code_challenge: str,
        nonce: str | None,
        scopes: tuple[str, ...],
        principal: Principal,
    ) -> str:
        record = AuthCode(
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            nonce=nonce,
            scopes=scopes,
            principal=principal,
            expires_at=self.clock.now() + CODE_LIFETIME_S,
        )
        return self._keep(self._codes, record, nbytes=32)

    def redeem_code(self, code: str) -> AuthCode | None:
        """Remove and return the code if it is still valid. Any redemption attempt burns the code (single use),
        so a failed exchange with a guessed verifier cannot be retried with another one."""
        with self._lock:
            record = self._codes.pop(code, None)
        if record is None or record.expires_at <= self.clock.now():
            return None
        return record

    # -- refresh tokens --------------------------------------------------------------------------------------
    def issue_refresh(
        self,
        *,
        client_id: str,
        scopes: tuple[str, ...],
        principal: Principal,
        origin_jti: str,
        event_id: str,
        lifetime_s: int,
    ) -> str:
        grant = RefreshGrant(
            client_id=client_id,
            scopes=scopes,
            principal=principal,
            origin_jti=origin_jti,
            event_id=event_id,
            expires_at=self.clock.now() + lifetime_s,
        )
        return self._keep(self._refresh, grant, nbytes=48)

    def lookup_refresh(self, token: str, client_id: str) -> RefreshGrant | None:
        """A usable refresh grant of `client_id`, or None (unknown, other client, revoked or expired)."""
        with self._lock:
            grant = self._refresh.get(token)
        if grant is None or grant.client_id != client_id or grant.revoked:
            return None
        if grant.expires_at <= self.clock.now():
            return None
        return grant

    def revoke_refresh(self, token: str, client_id: str) -> None:
        """Revoke the token if it belongs to `client_id`; unknown tokens are silently ignored (RFC 7009)."""
        with self._lock:
            grant = self._refresh.get(token)
            if grant is not None and grant.client_id == client_id:
                grant.revoked = True
                # Cognito also invalidates the access tokens minted from a revoked refresh token.
                self._revoked_origins.add(grant.origin_jti)

    def origin_revoked(self, origin_jti: str) -> bool:
        with self._lock:
            return origin_jti in self._revoked_origins

    # -- hosted-UI sessions ----------------------------------------------------------------------------------
    def open_session(self, principal: Principal) -> str:
        return self._keep(self._sessions, (principal, self.clock.now() + SESSION_LIFETIME_S), nbytes=32)

    def live_session(self, session_id: str | None) -> Principal | None:
        if not session_id:
            return None
        with self._lock:
            entry = self._sessions.get(session_id)
        if entry is None or entry[1] <= self.clock.now():
            return None
        return entry[0]

    def close_session(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)
