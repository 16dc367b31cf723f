"""Bad tokens built by the harness for the `/auth/me` negative checks (SPEC §3.5): each is wrong in exactly one way,
on top of the claims of a real access token, so a 401 can only come from that one defect.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from checks.secrets import register_secret


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a real token, unverified (only used as a template for the forgeries)."""
    return jwt.decode(token, options={"verify_signature": False})


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _register(token: str) -> str:
    register_secret(token)
    return token


def alg_none(claims: dict[str, Any]) -> str:
    return _register(f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.")


def hs256(claims: dict[str, Any], kid: str) -> str:
    """HMAC-signed under a published kid: the algorithm-confusion attempt a verifier must refuse."""
    return _register(jwt.encode(claims, secrets.token_bytes(32), algorithm="HS256", headers={"kid": kid}))


def rs256_throwaway(claims: dict[str, Any], kid: str | None = None) -> str:
    """RS256 with a fresh key under a kid no JWKS publishes (the verifier refetches once, then refuses)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = kid or f"hhl-harness-unknown-{secrets.token_hex(8)}"
    return _register(jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid}))


def expired(claims: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    return {**claims, "iat": now - 7200, "exp": now - 3600}


def wrong_issuer(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "iss": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_HarnessXX"}


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token).get("kid", ""))
