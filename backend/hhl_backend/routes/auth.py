"""The /auth/* routes (SPEC §3.4 login + callback, §3.6 me, §3.7 logout).

Endpoints are plain functions: Starlette runs them in its threadpool, so the blocking IdP/JWKS/DynamoDB calls never
stall the event loop. Every dependency comes from `app.state` (built once by `create_app`).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hhl_backend.auth.cookies import ACCESS_COOKIE, REFRESH_COOKIE, TXN_COOKIE, clear_cookie, set_cookie
from hhl_backend.auth.idp import IdpRejected, IdpUnavailable
from hhl_backend.auth.pkce import new_login_secrets
from hhl_backend.auth.session import TokenSet, access_token_from_request
from hhl_backend.auth.tokens import InvalidToken, JwksUnavailable, MissingSubject
from hhl_backend.auth.transaction import LoginTransaction
from hhl_backend.errors import NO_STORE, error_response, internal_error, json_response, unauthorized
from hhl_backend.logs import log_event

_AUTH_ERROR = re.compile(r"[A-Za-z0-9_]{1,64}")
_PROFILE_KEYS = (
    "userId",
    "email",
    "displayName",
    "givenName",
    "familyName",
    "createdAt",
    "updatedAt",
    "hubspotContactId",
)


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": NO_STORE})


def _set(request: Request, response: Response, name: str, value: str) -> None:
    state = request.app.state
    set_cookie(response, state.seams.cookie_policy(name), value, state.settings.cookie_domain)


def _clear(request: Request, response: Response, name: str) -> None:
    state = request.app.state
    clear_cookie(response, state.seams.cookie_policy(name), state.settings.cookie_domain)


def _set_session(request: Request, response: Response, tokens: TokenSet) -> None:
    _set(request, response, ACCESS_COOKIE, tokens.access_token)
    if tokens.refresh_token:
        _set(request, response, REFRESH_COOKIE, tokens.refresh_token)


def login(request: Request) -> Response:
    state = request.app.state
    settings = state.settings
    redirect = state.seams.redirect_sanitiser(request.query_params.get("redirect_url"))
    fresh = new_login_secrets()
    txn = LoginTransaction(
        state=fresh.state, verifier=fresh.verifier, nonce=fresh.nonce, redirect=redirect, iat=int(time.time())
    )
    issued = state.txn_codec.issue(txn)
    params = {
        "response_type": "code",
        "client_id": settings.cognito_client_id,
        "redirect_uri": settings.cognito_redirect_uri,
        "scope": "openid email profile",
        "code_challenge": fresh.challenge,
        "code_challenge_method": "S256",
        "state": issued.state,
    }
    nonce = state.seams.oidc_nonce(txn)
    if nonce is not None:
        params["nonce"] = nonce
    authorize_url = f"{settings.cognito_base_url}/oauth2/authorize?{urlencode(params)}"
    response = _redirect(authorize_url)
    if issued.cookie_value is not None:
        _set(request, response, TXN_COOKIE, issued.cookie_value)
    log_event("login_started", **state.seams.auth_log_fields("login_started", {"authorize_url": authorize_url}))
    return response


def _finish_callback(request: Request) -> Response:
    """SPEC §3.4 step 6: each check is terminal, in this order."""
    state = request.app.state
    settings, seams = state.settings, state.seams
    params = request.query_params
    if "error" in params:
        reason = params["error"] if _AUTH_ERROR.fullmatch(params["error"]) else "unknown_error"
        log_event("login_idp_error", reason=reason)
        return _redirect(seams.callback_location(settings, f"/learn?auth_error={reason}"))
    code, oauth_state = params.get("code"), params.get("state")
    if not code:
        return error_response("Missing required parameter: code", 400, no_store=True)
    if not oauth_state:
        return error_response("Missing required parameter: state", 400, no_store=True)
    txn = state.txn_codec.recover(oauth_state, request.cookies.get(TXN_COOKIE))
    if txn is None:
        log_event("login_state_rejected", level=logging.WARNING)
        return error_response("Invalid or expired state parameter", 400, no_store=True)

    bypass = seams.test_bypass(code) if seams.test_bypass is not None else None
    if bypass is not None:
        log_event("login_test_bypass", level=logging.WARNING)
        response = _redirect(seams.callback_location(settings, txn.redirect))
        _set_session(request, response, bypass)
        return response

    try:
        tokens = state.idp.exchange_code(code, txn.verifier)
        assert tokens.id_token is not None  # exchange_code guarantees it
        id_claims = state.verifier.verify_id(tokens.id_token, nonce=seams.oidc_nonce(txn))
        access_claims = state.verifier.verify_access(tokens.access_token)
        if access_claims["sub"] != id_claims["sub"]:
            raise InvalidToken("ID and access tokens name different users")
    except (IdpRejected, InvalidToken, IdpUnavailable, JwksUnavailable) as exc:
        outage = isinstance(exc, IdpUnavailable | JwksUnavailable)
        log_event(
            "login_idp_unavailable" if outage else "login_failed",
            level=logging.ERROR if outage else logging.WARNING,
            reason=type(exc).__name__,
        )
        status, message = seams.callback_failure(exc)
        return error_response(message, status, no_store=True)

    try:
        state.store.upsert_user_profile(id_claims["sub"], id_claims)
    except Exception:
        log_event("user_upsert_failed", level=logging.ERROR, exc_info=True)
        return internal_error()
    log_event("login_succeeded", **seams.auth_log_fields("login_succeeded", {"claims": id_claims}))
    response = _redirect(seams.callback_location(settings, txn.redirect))
    _set_session(request, response, tokens)
    return response


def callback(request: Request) -> Response:
    response = _finish_callback(request)
    _clear(request, response, TXN_COOKIE)  # every callback response clears the transaction (single use)
    return response


def _profile_body(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in _PROFILE_KEYS if item.get(key) not in (None, "")}


def me(request: Request) -> Response:
    state = request.app.state
    token = access_token_from_request(request)
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    claims: dict[str, Any] | None = None
    reason = "Unauthorized: Missing access token" if token is None else "Unauthorized: Invalid or expired token"
    if token is not None:
        try:
            claims = state.verifier.verify_access(token)
        except MissingSubject:
            reason = "Unauthorized: Invalid token payload"
        except (InvalidToken, JwksUnavailable):
            pass
    refreshed: TokenSet | None = None
    if claims is None and refresh_token:
        try:
            refreshed = state.idp.refresh(refresh_token)
            claims = state.verifier.verify_access(refreshed.access_token)
        except (IdpRejected, IdpUnavailable, InvalidToken, JwksUnavailable):
            # Any refresh failure, an IdP outage included, counts as an invalid token (SPEC §3.6 step 2).
            refreshed = None
            if token is None:
                reason = "Unauthorized: Invalid or expired token"
    if claims is None:
        return unauthorized(reason)

    try:
        item = state.store.get_user_profile(claims["sub"])
    except Exception:
        log_event("profile_read_failed", level=logging.ERROR, exc_info=True)
        response: Response = internal_error("Internal server error")
    else:
        if item is None:
            response = error_response("User not found", 404, no_store=True)
        else:
            response = json_response(_profile_body(item), headers={"Cache-Control": "no-store, private"})
    if refreshed is not None:
        _set_session(request, response, refreshed)
        log_event("session_refreshed")
    return response


def logout(request: Request) -> Response:
    state = request.app.state
    settings = state.settings
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    revoked = state.idp.revoke(refresh_token) if refresh_token else None
    query = urlencode(
        {"client_id": settings.cognito_client_id, "logout_uri": settings.cognito_logout_uri}, quote_via=quote
    )
    response = _redirect(f"{settings.cognito_base_url}/logout?{query}")
    _clear(request, response, ACCESS_COOKIE)
    _clear(request, response, REFRESH_COOKIE)
    log_event("logout", revoked=revoked)
    return response


routes: list[Route] = [
    Route("/auth/login", login, methods=["GET"]),
    Route("/auth/callback", callback, methods=["GET"]),
    Route("/auth/me", me, methods=["GET"]),
    Route("/auth/logout", logout, methods=["GET", "POST"]),
]
