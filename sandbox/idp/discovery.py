"""`/<pool>/.well-known/jwks.json` and `/<pool>/.well-known/openid-configuration`, under the issuer path."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.idp.context import IdpContext, context_of


async def _pool_matches(request: Request, ctx: IdpContext) -> bool:
    """The path names this stand-in's pool, and moto still has it (a deleted pool's issuer answers 404)."""
    return request.path_params["pool"] == ctx.user_pool_id and await ctx.directory.pool_exists()


def _not_found() -> JSONResponse:
    return JSONResponse({"error": "not_found"}, status_code=404)


async def jwks(request: Request) -> Response:
    ctx = context_of(request)
    if not await _pool_matches(request, ctx):
        return _not_found()
    return JSONResponse(ctx.keys.jwks())


def openid_configuration_document(ctx: IdpContext) -> dict:
    return {
        "issuer": ctx.issuer,
        "authorization_endpoint": ctx.url("/oauth2/authorize"),
        "token_endpoint": ctx.url("/oauth2/token"),
        "userinfo_endpoint": ctx.url("/oauth2/userInfo"),
        "revocation_endpoint": ctx.url("/oauth2/revoke"),
        "end_session_endpoint": ctx.url("/logout"),
        "jwks_uri": f"{ctx.issuer}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
    }


async def openid_configuration(request: Request) -> Response:
    ctx = context_of(request)
    if not await _pool_matches(request, ctx):
        return _not_found()
    return JSONResponse(openid_configuration_document(ctx))


ROUTES = [
    Route("/{pool}/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/{pool}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
]
