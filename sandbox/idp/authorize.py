"""Validation of an authorization request (`/oauth2/authorize` and the `/login` form that carries its query).

The rules run in SPEC §9's order: the first two never redirect to the client (its redirect URI is not yet
trusted); the later ones go back to `redirect_uri?error=…&state=…`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.responses import RedirectResponse

from sandbox.idp.context import error_page_redirect, redirect, with_query
from sandbox.idp.directory import ClientSettings, Directory

# RFC 7636: an S256 challenge is base64url(SHA-256), unpadded: exactly 43 characters.
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class AuthorizeRequest:
    client: ClientSettings
    redirect_uri: str
    state: str | None
    nonce: str | None
    scopes: tuple[str, ...]
    code_challenge: str


async def validate_authorize(params: Mapping[str, str], directory: Directory) -> AuthorizeRequest | RedirectResponse:
    """The validated request, or the redirect that answers it."""
    client = await directory.client(params.get("client_id", ""))
    if client is None:
        return error_page_redirect("invalid_client")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.callback_urls:
        return error_page_redirect("redirect_mismatch")

    state = params.get("state") or None

    def back_to_client(error: str) -> RedirectResponse:
        return redirect(with_query(redirect_uri, {"error": error, "state": state}))

    if params.get("response_type") != "code":
        return back_to_client("unsupported_response_type")
    if not client.oauth_enabled or "code" not in client.oauth_flows:
        return back_to_client("unauthorized_client")
    requested = tuple(dict.fromkeys(params.get("scope", "").split()))  # de-duplicated, request order kept
    if not requested:
        # Cognito grants every allowed scope when none is requested.
        requested = tuple(sorted(client.oauth_scopes))
    if not set(requested) <= client.oauth_scopes:
        return back_to_client("invalid_scope")
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not _S256_CHALLENGE.fullmatch(challenge):
        # Stricter than Cognito, where PKCE is optional: the stand-in only knows S256 PKCE flows.
        return back_to_client("invalid_request")
    return AuthorizeRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=state,
        nonce=params.get("nonce") or None,
        scopes=requested,
        code_challenge=challenge,
    )
