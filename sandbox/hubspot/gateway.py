"""What every CRM API request goes through before its handler: latency, outage, bearer auth, the Retry-After
window of its contact, the 429/5xx faults; and the ledger entry for the contact the request is about."""

from __future__ import annotations

import asyncio
import functools
import json
import math
import secrets
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from sandbox.hubspot.context import HubSpotContext, context_of
from sandbox.hubspot.errors import ApiError, bad_request
from sandbox.hubspot.faults import FaultSet, RetryWindow

# (context, request, parsed JSON body or None) → the lower-cased email the request is about, or None.
Subject = Callable[[HubSpotContext, Request, object], str | None]
# Handlers are synchronous: they run under the context lock and never wait.
Handler = Callable[[HubSpotContext, Request, object], Response]
Endpoint = Callable[[Request], Awaitable[Response]]

_NO_TOKEN = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details "
    "at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
_BAD_TOKEN = "The access token provided is invalid or has been revoked."


def api(handler: Handler, *, subject: Subject | None = None, with_body: bool = False) -> Endpoint:
    """The Starlette endpoint for `handler`; `with_body` parses a JSON body first (bad JSON → 400 after auth)."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        ctx = context_of(request)
        arrived = ctx.clock.now()
        body, body_error = await _read_json(request) if with_body else (None, None)
        with ctx.lock:
            email = _subject_of(subject, ctx, request, body)
            latency_ms = max(faults.latency_ms for faults in ctx.faults.applicable(email))
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)  # the fault itself: a slow portal, not a synchronisation
        with ctx.lock:
            early = False
            try:
                faults = ctx.faults.applicable(email)
                if any(fault_set.outage for fault_set in faults):
                    raise ApiError(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
                _authenticate(ctx, request)
                remaining, early = _retry_window(ctx, email, arrived)
                if remaining:
                    # Inside the previous 429's Retry-After: HubSpot's limiter answers 429 again.
                    _rate_limited(remaining)
                _planted(faults, ctx, email, arrived)
                if body_error is not None:
                    raise body_error
                response = handler(ctx, request, body)
            except ApiError as exc:
                response = exc.response()
            if email:
                entry = {"at": arrived, "method": request.method, "path": request.url.path}
                ctx.ledger.record(email, {**entry, "status": response.status_code, "early": early})
        return response

    return endpoint


def _subject_of(subject: Subject | None, ctx: HubSpotContext, request: Request, body: object) -> str | None:
    # A request too malformed to name its contact (a bad idProperty) is answered by its handler, about nobody.
    try:
        return subject(ctx, request, body) if subject else None
    except ApiError:
        return None


def _retry_window(ctx: HubSpotContext, email: str | None, arrived: float) -> tuple[int, bool]:
    """Whole seconds left of the contact's last 429 Retry-After (0 = the client may come back), and whether the
    request is early: sent after that 429 was answered. One that was already in flight when it was answered (a
    concurrent request) could not have honoured it, so it gets the 429 but is not counted as early."""
    window = ctx.ledger.windows.get(email) if email else None
    if window is None or window.not_before <= arrived:
        return 0, False
    return max(1, math.ceil(window.not_before - arrived)), arrived >= window.answered_at


def _planted(faults: list[FaultSet], ctx: HubSpotContext, email: str | None, arrived: float) -> None:
    if limited := next((fault_set for fault_set in faults if fault_set.rate_limit_count), None):
        limited.rate_limit_count -= 1
        if email:
            ctx.ledger.windows[email] = RetryWindow(
                answered_at=ctx.clock.now(), not_before=arrived + limited.retry_after
            )
        _rate_limited(limited.retry_after)
    if failing := next((fault_set for fault_set in faults if fault_set.server_error_count), None):
        failing.server_error_count -= 1
        raise ApiError(failing.server_error_status, "INTERNAL_ERROR", "internal error")


def _rate_limited(retry_after: int) -> None:
    raise ApiError(
        429,
        "RATE_LIMITS",
        "You have reached your secondly limit.",
        headers={"Retry-After": str(retry_after)},
        extra={"errorType": "RATE_LIMIT", "policyName": "SECONDLY"},
    )


def _authenticate(ctx: HubSpotContext, request: Request) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiError(401, "INVALID_AUTHENTICATION", _NO_TOKEN)
    if not secrets.compare_digest(presented.strip().encode(), ctx.token.encode()):
        raise ApiError(401, "INVALID_AUTHENTICATION", _BAD_TOKEN)


async def _read_json(request: Request) -> tuple[object, ApiError | None]:
    raw = await request.body()
    try:
        return json.loads(raw), None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        return None, bad_request(f"Invalid input JSON: {exc}")
