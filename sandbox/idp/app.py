"""Assembly of the hosted-UI stand-in: one Starlette app per sandbox, its state on `app.state.idp`."""

from __future__ import annotations

import logging

from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.idp import discovery, hooks, hosted_ui, token_endpoints
from sandbox.idp.context import IdpContext
from sandbox.idp.directory import Directory, DirectoryUnavailable
from sandbox.idp.grants import Clock, GrantStore
from sandbox.idp.keys import SigningKeys
from sandbox.idp.tokens import TokenMinter

logger = logging.getLogger("sandbox.idp")


async def _directory_unavailable(request: Request, exc: Exception) -> Response:
    # The message names the moto operation and error code only; never a username or password.
    logger.warning("hosted-UI stand-in: user pool unavailable: %s", exc)
    return JSONResponse({"error": "server_error"}, status_code=500)


def create_idp_app(
    *,
    aws_endpoint_url: str,
    region: str,
    user_pool_id: str,
    public_base_url: str,
    faults: frozenset[str] = frozenset(),
    signing_key: RSAKey | None = None,
) -> Starlette:
    """The stand-in for the Cognito hosted UI of `user_pool_id` (SPEC §9), reading the pool from moto at
    `aws_endpoint_url`. Issuer = `<public_base_url>/<user_pool_id>`.

    `faults` are sandbox fault names; none in the catalog needs logic here yet (`idp.jwks_unreachable` is
    planted by pointing the backend elsewhere), so every name is accepted and kept on the state.
    `signing_key` pins the RS256 key (it needs a `kid`); by default a fresh one is generated.

    Example::

        app = create_idp_app(aws_endpoint_url="http://127.0.0.1:5000", region="us-west-2",
                             user_pool_id=pool_id, public_base_url="http://127.0.0.1:8402")
        uvicorn.run(app, host="127.0.0.1", port=8402)
    """
    if not public_base_url.startswith(("http://", "https://")):
        raise ValueError("public_base_url must be an absolute http(s) URL")
    if not user_pool_id:
        raise ValueError("user_pool_id is required")
    base = public_base_url.rstrip("/")
    clock = Clock()
    keys = SigningKeys(signing_key)
    context = IdpContext(
        public_base_url=base,
        user_pool_id=user_pool_id,
        directory=Directory(endpoint_url=aws_endpoint_url, region=region, user_pool_id=user_pool_id),
        keys=keys,
        clock=clock,
        grants=GrantStore(clock=clock),
        minter=TokenMinter(issuer=f"{base}/{user_pool_id}", keys=keys, clock=clock),
        sandbox_faults=frozenset(faults),
    )
    app = Starlette(
        routes=[*hosted_ui.ROUTES, *token_endpoints.ROUTES, *hooks.ROUTES, *discovery.ROUTES],
        exception_handlers={DirectoryUnavailable: _directory_unavailable},
    )
    app.state.idp = context
    return app
