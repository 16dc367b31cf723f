"""Browser-facing routes of the hosted UI: `/oauth2/authorize`, `/login` (GET, POST), `/logout`, `/error`."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox.idp.authorize import AuthorizeRequest, validate_authorize
from sandbox.idp.context import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    IdpContext,
    context_of,
    error_page_redirect,
    redirect,
    with_query,
)
from sandbox.idp.directory import LoginOutcome
from sandbox.idp.grants import SESSION_LIFETIME_S, Principal
from sandbox.idp.pages import error_page, login_page

_LOGIN_MESSAGES = {
    LoginOutcome.BAD_CREDENTIALS: "Incorrect username or password.",
    LoginOutcome.DISABLED: "User is disabled.",
    LoginOutcome.CHALLENGE: "This account needs a password change, which the sandbox hosted UI does not offer.",
}


async def _live_principal(request: Request, ctx: IdpContext) -> Principal | None:
    """The signed-in user of a live `cognito` session, if moto still has them enabled."""
    principal = ctx.grants.live_session(request.cookies.get(SESSION_COOKIE))
    if principal is None:
        return None
    user = await ctx.directory.user(principal.username)
    return principal if user is not None and user.enabled else None


def _code_redirect(ctx: IdpContext, req: AuthorizeRequest, principal: Principal) -> RedirectResponse:
    code = ctx.grants.issue_code(
        client_id=req.client.client_id,
        redirect_uri=req.redirect_uri,
        code_challenge=req.code_challenge,
        nonce=req.nonce,
        scopes=req.scopes,
        principal=principal,
    )
    return redirect(with_query(req.redirect_uri, {"code": code, "state": req.state}))


def _form(request: Request, req: AuthorizeRequest, error: str | None = None) -> Response:
    """The sign-in form with a fresh CSRF token, bound to the browser by the XSRF-TOKEN cookie."""
    csrf = secrets.token_urlsafe(32)
    response = login_page(client=req.client, query=request.url.query, csrf=csrf, error=error)
    ctx = context_of(request)
    response.set_cookie(CSRF_COOKIE, csrf, path="/", httponly=True, samesite="lax", secure=ctx.secure_cookies)
    return response


async def _authorize_step(request: Request, anonymous: Callable[[AuthorizeRequest], Response]) -> Response:
    """Validate the authorization request; a live session gets its code at once, anyone else `anonymous`."""
    ctx = context_of(request)
    req = await validate_authorize(request.query_params, ctx.directory)
    if isinstance(req, RedirectResponse):
        return req
    principal = await _live_principal(request, ctx)
    if principal is not None:
        return _code_redirect(ctx, req, principal)
    return anonymous(req)


async def authorize(request: Request) -> Response:
    return await _authorize_step(request, lambda _req: redirect(f"/login?{request.url.query}"))


async def login_form(request: Request) -> Response:
    return await _authorize_step(request, lambda req: _form(request, req))


async def login_submit(request: Request) -> Response:
    ctx = context_of(request)
    req = await validate_authorize(request.query_params, ctx.directory)
    if isinstance(req, RedirectResponse):
        return req
    form = await request.form()
    sent = str(form.get("_csrf", ""))
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        return error_page_redirect("invalid_csrf_token")
    username = str(form.get("username", "")).strip()
    outcome = await ctx.directory.check_password(req.client.client_id, username, str(form.get("password", "")))
    user = await ctx.directory.user(username) if outcome is LoginOutcome.OK else None
    if user is None:
        return _form(request, req, error=_LOGIN_MESSAGES.get(outcome, _LOGIN_MESSAGES[LoginOutcome.BAD_CREDENTIALS]))
    principal = Principal(username=user.username, sub=user.sub, auth_time=int(ctx.clock.now()))
    response = _code_redirect(ctx, req, principal)
    response.set_cookie(
        SESSION_COOKIE,
        ctx.grants.open_session(principal),
        max_age=SESSION_LIFETIME_S,
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.secure_cookies,
    )
    return response


async def logout(request: Request) -> Response:
    ctx = context_of(request)
    client = await ctx.directory.client(request.query_params.get("client_id", ""))
    if client is None:
        return error_page_redirect("invalid_client")
    logout_uri = request.query_params.get("logout_uri")
    if not logout_uri:
        return error_page_redirect("invalid_request")
    if logout_uri not in client.logout_urls:
        return error_page_redirect("redirect_mismatch")
    ctx.grants.close_session(request.cookies.get(SESSION_COOKIE))
    response = redirect(logout_uri)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=ctx.secure_cookies)
    return response


async def error(request: Request) -> Response:
    return error_page(request.query_params.get("error", "unknown_error"))


ROUTES = [
    Route("/oauth2/authorize", authorize, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["GET"]),
    Route("/error", error, methods=["GET"]),
]
