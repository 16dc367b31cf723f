"""The stand-in's own RS256 signing keys (never moto's, whose private key ships inside moto) and their rotation."""

from __future__ import annotations

import secrets
import threading
import time

from joserfc.jwk import KeySet, RSAKey

RSA_KEY_BITS = 2048


def generate_signing_key() -> RSAKey:
    """A fresh RS256 key with a random `kid`, as Cognito publishes them."""
    return RSAKey.generate_key(
        RSA_KEY_BITS,
        parameters={"kid": secrets.token_urlsafe(16), "alg": "RS256", "use": "sig"},
        private=True,
    )


class SigningKeys:
    """The active key plus the keys still published in the JWKS (newest first)."""

    def __init__(self, initial: RSAKey | None = None) -> None:
        key = initial if initial is not None else generate_signing_key()
        if key.kid is None:
            raise ValueError("the signing key needs a 'kid'")
        self._keys: list[RSAKey] = [key]
        self._lock = threading.Lock()
        self._served_at: float | None = None  # monotonic time the JWKS document was last served

    @property
    def active(self) -> RSAKey:
        with self._lock:
            return self._keys[0]

    def rotate(self, *, keep_old: bool) -> RSAKey:
        """Sign with a new kid from now on; `keep_old` keeps the previous keys in the JWKS (graceful rotation)."""
        key = generate_signing_key()
        with self._lock:
            self._keys = [key, *self._keys] if keep_old else [key]
        return key

    def activate(self, kid: str) -> RSAKey:
        """Sign with an already published key again (it moves to the front); KeyError when `kid` is not published.
        Lets a check rotate for the length of one login and then restore the previous signing key."""
        with self._lock:
            key = next((k for k in self._keys if k.kid == kid), None)
            if key is None:
                raise KeyError(kid)
            self._keys = [key, *(k for k in self._keys if k is not key)]
        return key

    def kids(self) -> list[str]:
        with self._lock:
            return [str(k.kid) for k in self._keys]

    def key_set(self) -> KeySet:
        """Every published key (for verifying the stand-in's own tokens, e.g. at userInfo)."""
        with self._lock:
            return KeySet(list(self._keys))

    def jwks(self) -> dict:
        """The public JWKS document: `kty`, `kid`, `n`, `e`, `alg`, `use` per key, no private parts."""
        with self._lock:
            self._served_at = time.monotonic()
            return {"keys": [key.as_dict(private=False) for key in self._keys]}

    def seconds_since_served(self) -> float | None:
        """How long ago anyone last fetched the JWKS (None: never). No backend's copy of it can be newer."""
        with self._lock:
            return None if self._served_at is None else round(time.monotonic() - self._served_at, 3)
