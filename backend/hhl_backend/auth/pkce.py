"""Fresh per-login secrets (SPEC §3.4 step 3): PKCE S256 verifier/challenge, OAuth `state` and OIDC `nonce`."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

_RANDOM_BYTES = 32  # 32 bytes → 43 base64url characters, the RFC 7636 minimum verifier length


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def random_token() -> str:
    """32 random bytes, base64url without padding (43 chars)."""
    return _b64url(secrets.token_bytes(_RANDOM_BYTES))


def code_challenge(verifier: str) -> str:
    """The S256 challenge: base64url(SHA-256(verifier)), unpadded."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True)
class LoginSecrets:
    verifier: str
    challenge: str
    state: str
    nonce: str


def new_login_secrets() -> LoginSecrets:
    verifier = random_token()
    challenge = code_challenge(verifier)
    return LoginSecrets(verifier=verifier, challenge=challenge, state=random_token(), nonce=random_token())
