"""The login transaction between /auth/login and /auth/callback (SPEC §3.4 step 4, D2).

The default codec keeps `state` random and opaque and seals `{v, state, verifier, nonce, redirect, iat}` into the
browser-bound `hhl_auth_txn` cookie with Fernet (authenticated encryption), keyed by HKDF-SHA256 over
AUTH_COOKIE_SECRET. A codec is a seam so the sandbox can plant the real deployment's JWT-state defect.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TXN_MAX_AGE_S = 600
TXN_VERSION = 1


@dataclass(frozen=True)
class LoginTransaction:
    state: str
    verifier: str
    nonce: str
    redirect: str
    iat: int


@dataclass(frozen=True)
class IssuedTransaction:
    """What /auth/login sends: the `state` query value, and the txn cookie value (None = no cookie)."""

    state: str
    cookie_value: str | None


class TransactionCodec(Protocol):
    def issue(self, txn: LoginTransaction) -> IssuedTransaction: ...

    def recover(self, state: str, cookie_value: str | None) -> LoginTransaction | None:
        """The transaction for this callback, or None when missing, unreadable, expired or not matching `state`."""
        ...


def derive_key(secret: bytes, info: bytes) -> bytes:
    """A 32-byte purpose-bound key, so the cookie secret is never used directly as a cipher key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class SealedCookieCodec:
    """Default codec: random state in the URL, everything else encrypted in the txn cookie."""

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret, b"hhl_auth_txn")))
        self._clock = clock

    def issue(self, txn: LoginTransaction) -> IssuedTransaction:
        payload = json.dumps({"v": TXN_VERSION, **asdict(txn)}, separators=(",", ":")).encode()
        token = self._fernet.encrypt_at_time(payload, int(self._clock()))
        return IssuedTransaction(state=txn.state, cookie_value=token.decode("ascii"))

    def recover(self, state: str, cookie_value: str | None) -> LoginTransaction | None:
        if not cookie_value:
            return None
        try:
            raw = self._fernet.decrypt_at_time(cookie_value.encode("ascii"), TXN_MAX_AGE_S, int(self._clock()))
            data = json.loads(raw)
            txn = LoginTransaction(
                state=str(data["state"]),
                verifier=str(data["verifier"]),
                nonce=str(data["nonce"]),
                redirect=str(data["redirect"]),
                iat=int(data["iat"]),
            )
        except (InvalidToken, UnicodeEncodeError, ValueError, KeyError, TypeError):
            return None
        if data.get("v") != TXN_VERSION or not hmac.compare_digest(txn.state.encode(), state.encode(errors="replace")):
            return None
        return txn
