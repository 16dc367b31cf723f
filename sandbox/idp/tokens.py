"""Minting the ID and access tokens, claim for claim as SPEC §9 lists them, with the fault switches applied."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.jwk import OctKey

from sandbox.idp.directory import ClientSettings, UserRecord
from sandbox.idp.grants import Clock, Principal
from sandbox.idp.keys import SigningKeys
from sandbox.idp.switches import FaultSwitches

_OPTIONAL_NAME_CLAIMS = ("name", "given_name", "family_name")
_EXPIRED_BY_S = 120  # far beyond any verifier's leeway (the backend allows 5 s)


@dataclass(frozen=True)
class Issuance:
    """One token issuance: the authentication it descends from and what was granted."""

    client: ClientSettings
    user: UserRecord
    principal: Principal
    scopes: tuple[str, ...]
    nonce: str | None
    origin_jti: str
    event_id: str


@dataclass(frozen=True)
class MintedTokens:
    id_token: str
    access_token: str
    expires_in: int


def new_authentication_ids() -> tuple[str, str]:
    """(origin_jti, event_id) for a fresh authentication; refreshes reuse them, as Cognito does."""
    return str(uuid.uuid4()), str(uuid.uuid4())


class TokenMinter:
    def __init__(self, *, issuer: str, keys: SigningKeys, clock: Clock) -> None:
        self.issuer = issuer
        self._keys = keys
        self._clock = clock

    def mint(self, issuance: Issuance, switches: FaultSwitches) -> MintedTokens:
        now = int(self._clock.now())
        id_claims = self._id_claims(issuance, now, switches)
        access_claims = self._access_claims(issuance, now, switches)
        return MintedTokens(
            id_token=self._sign(id_claims, hs256="hs256" in switches.id_token),
            access_token=self._sign(access_claims, hs256="hs256" in switches.access_token),
            expires_in=issuance.client.access_ttl_s,
        )

    def _id_claims(self, issuance: Issuance, now: int, switches: FaultSwitches) -> dict:
        defects = switches.id_token
        user = issuance.user
        claims: dict = {
            "sub": user.sub,
            "aud": f"{issuance.client.client_id}-foreign" if "wrong_aud" in defects else issuance.client.client_id,
            "iss": self._issuer("wrong_iss" in defects),
            "token_use": "id",
            "cognito:username": user.username,
        }
        if "email" in user.attributes:
            claims["email"] = user.attributes["email"]
            claims["email_verified"] = user.email_verified
        claims.update({name: user.attributes[name] for name in _OPTIONAL_NAME_CLAIMS if user.attributes.get(name)})
        if "wrong_nonce" in defects:
            claims["nonce"] = secrets.token_urlsafe(32)
        elif issuance.nonce is not None:
            claims["nonce"] = issuance.nonce
        claims.update(self._common(issuance, now, issuance.client.id_ttl_s, expired="expired" in defects))
        return claims

    def _access_claims(self, issuance: Issuance, now: int, switches: FaultSwitches) -> dict:
        defects = switches.access_token
        client_id = issuance.client.client_id
        claims: dict = {
            "sub": issuance.user.sub,
            "iss": self._issuer("wrong_iss" in defects),
            "client_id": f"{client_id}-foreign" if "wrong_client_id" in defects else client_id,
            "token_use": "access",
            "scope": " ".join(issuance.scopes),
            "username": issuance.user.username,
            "version": 2,
        }
        claims.update(self._common(issuance, now, issuance.client.access_ttl_s, expired="expired" in defects))
        return claims

    def _common(self, issuance: Issuance, now: int, ttl_s: int, *, expired: bool) -> dict:
        iat = now - ttl_s - _EXPIRED_BY_S if expired else now
        return {
            "auth_time": issuance.principal.auth_time,
            "iat": iat,
            "exp": iat + ttl_s,
            "jti": str(uuid.uuid4()),
            "origin_jti": issuance.origin_jti,
            "event_id": issuance.event_id,
        }

    def _issuer(self, wrong: bool) -> str:
        return f"{self.issuer}-foreign" if wrong else self.issuer

    def _sign(self, claims: dict, *, hs256: bool) -> str:
        active = self._keys.active
        if hs256:
            # A throw-away HMAC key under the real kid: verifiers must refuse by algorithm, not by luck.
            return jwt.encode({"alg": "HS256", "kid": active.kid}, claims, OctKey.generate_key(256), default_type=None)
        # Cognito's header is exactly {kid, alg}: no `typ`.
        return jwt.encode({"alg": "RS256", "kid": active.kid}, claims, active, default_type=None)
