"""Back-channel routes: `POST /oauth2/token`, `POST /oauth2/revoke`, `GET /oauth2/userInfo`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from binascii import Error as BinasciiError

from joserfc import jwt
from joserfc.errors import JoseError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.idp.context import IdpContext, context_of
from sandbox.idp.directory import ClientSettings, UserRecord
from sandbox.idp.grants import Principal
from sandbox.idp.switches import FaultSwitches, TokenEndpointError
from sandbox.idp.tokens import Issuance, new_authentication_ids

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_VERIFY_LEEWAY_S = 5


def oauth_error(error: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status_code, headers=_NO_STORE)


def _client_credentials(request: Request, form: FormData) -> tuple[str, str | None]:
    """(client_id, secret) from HTTP Basic (client_secret_basic) or the form (client_secret_post / public)."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (BinasciiError, UnicodeDecodeError):
            return "", None
        return client_id, secret
    form_secret = form.get("client_secret")
    return str(form.get("client_id", "")), str(form_secret) if form_secret is not None else None


async def _authenticated_client(ctx: IdpContext, request: Request, form: FormData) -> ClientSettings | None:
    """The client, if it exists and (for a confidential client) proved its secret."""
    client_id, secret = _client_credentials(request, form)
    client = await ctx.directory.client(client_id)
    if client is None:
        return None
    if client.client_secret is not None and not (secret and secrets.compare_digest(secret, client.client_secret)):
        return None
    return client


def _pkce_s256_matches(verifier: str, challenge: str) -> bool:
    if not 43 <= len(verifier) <= 128:  # RFC 7636 §4.1
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
    return secrets.compare_digest(digest.rstrip(b"=").decode(), challenge)


async def _enabled_user(ctx: IdpContext, principal: Principal) -> UserRecord | None:
    """Re-read the user: tokens carry the attributes moto has now, and a disabled user gets none."""
    user = await ctx.directory.user(principal.username)
    return user if user is not None and user.enabled else None


async def _user_endpoint_fault(ctx: IdpContext, switches: FaultSwitches) -> Response | None:
    """A per-user `token_endpoint` switch, once the grant's user is known (the global one acts before that)."""
    if switches is ctx.switches or switches.token_endpoint is None:
        return None
    if isinstance(switches.token_endpoint, TokenEndpointError):
        return oauth_error("server_error", switches.token_endpoint.status)
    await asyncio.sleep(switches.token_endpoint.delay_s)
    return None


async def token(request: Request) -> Response:
    ctx = context_of(request)
    switches = ctx.switches
    if isinstance(switches.token_endpoint, TokenEndpointError):
        return oauth_error("server_error", switches.token_endpoint.status)
    if switches.token_endpoint is not None:
        # Simulated latency of a slow IdP; the backend's own timeout must fire first.
        await asyncio.sleep(switches.token_endpoint.delay_s)
    form = await request.form()
    client = await _authenticated_client(ctx, request, form)
    if client is None:
        return oauth_error("invalid_client")
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return await _exchange_code(ctx, client, form)
    if grant_type == "refresh_token":
        return await _refresh(ctx, client, form)
    return oauth_error("unsupported_grant_type")


async def _exchange_code(ctx: IdpContext, client: ClientSettings, form: FormData) -> Response:
    code = str(form.get("code", ""))
    record = ctx.grants.redeem_code(code) if code else None
    if (
        record is None
        or record.client_id != client.client_id
        or record.redirect_uri != form.get("redirect_uri")
        or not _pkce_s256_matches(str(form.get("code_verifier", "")), record.code_challenge)
    ):
        return oauth_error("invalid_grant")
    user = await _enabled_user(ctx, record.principal)
    if user is None:
        return oauth_error("invalid_grant")
    origin_jti, event_id = new_authentication_ids()
    issuance = Issuance(client, user, record.principal, record.scopes, record.nonce, origin_jti, event_id)
    switches = ctx.switches_for(user)
    if (failed := await _user_endpoint_fault(ctx, switches)) is not None:
        return failed
    minted = ctx.minter.mint(issuance, switches)
    refresh_token = ctx.grants.issue_refresh(
        client_id=client.client_id,
        scopes=record.scopes,
        principal=record.principal,
        origin_jti=origin_jti,
        event_id=event_id,
        lifetime_s=client.refresh_ttl_s,
    )
    body = {
        "id_token": minted.id_token,
        "access_token": minted.access_token,
        "refresh_token": refresh_token,
        "expires_in": minted.expires_in,
        "token_type": "Bearer",
    }
    return JSONResponse(body, headers=_NO_STORE)


async def _refresh(ctx: IdpContext, client: ClientSettings, form: FormData) -> Response:
    grant = ctx.grants.lookup_refresh(str(form.get("refresh_token", "")), client.client_id)
    user = await _enabled_user(ctx, grant.principal) if grant is not None else None
    if grant is None or user is None:
        return oauth_error("invalid_grant")
    # Refreshed ID tokens carry no nonce, and Cognito issues no new refresh token.
    issuance = Issuance(client, user, grant.principal, grant.scopes, None, grant.origin_jti, grant.event_id)
    switches = ctx.switches_for(user)
    if (failed := await _user_endpoint_fault(ctx, switches)) is not None:
        return failed
    minted = ctx.minter.mint(issuance, switches)
    body = {
        "id_token": minted.id_token,
        "access_token": minted.access_token,
        "expires_in": minted.expires_in,
        "token_type": "Bearer",
    }
    return JSONResponse(body, headers=_NO_STORE)


async def revoke(request: Request) -> Response:
    ctx = context_of(request)
    form = await request.form()
    token_value = str(form.get("token", ""))
    if not token_value:
        return oauth_error("invalid_request")
    client = await _authenticated_client(ctx, request, form)
    if client is None:
        return oauth_error("invalid_client")
    ctx.grants.revoke_refresh(token_value, client.client_id)
    # RFC 7009 §2.2: 200 even for an unknown token, so revocation cannot be used to probe tokens.
    return Response(status_code=200, headers=_NO_STORE)


async def user_info(request: Request) -> Response:
    ctx = context_of(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer ":
        return _invalid_token()
    try:
        decoded = jwt.decode(header[7:].strip(), ctx.keys.key_set(), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            now=int(ctx.clock.now()),
            leeway=_VERIFY_LEEWAY_S,
            iss={"essential": True, "value": ctx.issuer},
            token_use={"essential": True, "value": "access"},
            exp={"essential": True},
            username={"essential": True},
            origin_jti={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError):
        return _invalid_token()
    if ctx.grants.origin_revoked(decoded.claims["origin_jti"]):
        return _invalid_token()
    user = await ctx.directory.user(decoded.claims["username"])
    if user is None or not user.enabled:
        return _invalid_token()
    body = {
        "sub": user.sub,
        "email": user.attributes.get("email"),
        "email_verified": user.email_verified,
        "username": user.username,
    }
    return JSONResponse(body, headers=_NO_STORE)


def _invalid_token() -> JSONResponse:
    response = oauth_error("invalid_token", 401)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


ROUTES = [
    Route("/oauth2/token", token, methods=["POST"]),
    Route("/oauth2/revoke", revoke, methods=["POST"]),
    Route("/oauth2/userInfo", user_info, methods=["GET"]),
]
