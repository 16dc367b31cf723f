"""Session tokens on a request: where the access token comes from, and the default identity resolver (SPEC §3.8)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from hhl_backend.auth.cookies import ACCESS_COOKIE
from hhl_backend.auth.tokens import InvalidToken, JwksUnavailable
from hhl_backend.identity import Identity


@dataclass(frozen=True)
class TokenSet:
    """Tokens from the IdP's token endpoint. `refresh_token` is None when the IdP did not issue a new one."""

    access_token: str
    refresh_token: str | None = None
    id_token: str | None = None

    def __repr__(self) -> str:
        return "TokenSet(<redacted>)"


def access_token_from_request(request: Request) -> str | None:
    """The `hhl_access_token` cookie, else `Authorization: Bearer <token>`; None when neither is present."""
    cookie = request.cookies.get(ACCESS_COOKIE)
    if cookie:
        return cookie
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def resolve_identity(request: Request) -> Identity | None:
    """The caller's identity from a validated access token; an invalid credential is anonymous, not an error."""
    token = access_token_from_request(request)
    if token is None:
        return None
    try:
        claims = request.app.state.verifier.verify_access(token)
    except (InvalidToken, JwksUnavailable):
        return None
    return Identity(sub=claims["sub"], email=claims.get("email"), username=claims.get("username"))
