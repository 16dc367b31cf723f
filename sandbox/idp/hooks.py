"""Loopback-only test hooks of the hosted-UI stand-in (SPEC §9). Requests from any other address get 403.

    POST /__standin/rotate-key   {"keep_old": true}          (body optional; default keep_old=true)
         → 200 {"kid": "<new active kid>", "kids": ["<new>", ...published kids, newest first]}
         {"activate": "<published kid>"} signs with that key again (no new key); an unpublished kid → 400
    GET|POST|DELETE /__standin/faults
         POST body: see `sandbox.idp.switches` (replaces the whole set); DELETE clears it; GET shows it
         → 200 {"token_endpoint": null | {...}, "id_token": [...], "access_token": [...]}
    GET|POST /__standin/clock    {"offset_s": 400}           (absolute offset from wall time, seconds)
         → 200 {"offset_s": 400.0, "now": <stand-in epoch seconds>}

A malformed body → 400 {"error": "invalid_request", "detail": [<pydantic error summaries>]}.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.idp.context import IdpContext, context_of
from sandbox.idp.switches import NO_FAULTS, FaultSwitches

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_MAX_CLOCK_OFFSET_S = 10 * 365 * 86400

_Body = TypeVar("_Body", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]


class _RotateKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep_old: bool = True
    activate: str | None = None


class _Clock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    offset_s: float = Field(ge=-_MAX_CLOCK_OFFSET_S, le=_MAX_CLOCK_OFFSET_S)


class _BadBody(Exception):
    def __init__(self, detail: list[str]) -> None:
        super().__init__("; ".join(detail))
        self.detail = detail


def loopback_only(endpoint: Endpoint) -> Endpoint:
    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if host not in LOOPBACK_HOSTS:
            return JSONResponse({"error": "forbidden", "detail": "loopback only"}, status_code=403)
        try:
            return await endpoint(request)
        except _BadBody as exc:
            return JSONResponse({"error": "invalid_request", "detail": exc.detail}, status_code=400)

    return guarded


async def _parse(request: Request, model: type[_Body]) -> _Body:
    raw = await request.body()
    try:
        return model.model_validate(json.loads(raw) if raw.strip() else {})
    except json.JSONDecodeError as exc:
        raise _BadBody([f"body is not JSON: {exc.msg}"]) from None
    except ValidationError as exc:
        details = [f"{'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}" for err in exc.errors()]
        raise _BadBody(details) from None


@loopback_only
async def rotate_key(request: Request) -> Response:
    ctx = context_of(request)
    body = await _parse(request, _RotateKey)
    try:
        key = ctx.keys.activate(body.activate) if body.activate else ctx.keys.rotate(keep_old=body.keep_old)
    except KeyError:
        raise _BadBody(["activate: not a published kid"]) from None
    return JSONResponse({"kid": key.kid, "kids": ctx.keys.kids()})


@loopback_only
async def faults(request: Request) -> Response:
    ctx = context_of(request)
    if request.method == "POST":
        ctx.switches = await _parse(request, FaultSwitches)
    elif request.method == "DELETE":
        ctx.switches = NO_FAULTS
    return JSONResponse(ctx.switches.as_json())


def _clock_state(ctx: IdpContext) -> JSONResponse:
    return JSONResponse({"offset_s": ctx.clock.offset_s, "now": ctx.clock.now()})


@loopback_only
async def clock(request: Request) -> Response:
    ctx = context_of(request)
    if request.method == "POST":
        ctx.clock.offset_s = (await _parse(request, _Clock)).offset_s
    return _clock_state(ctx)


ROUTES = [
    Route("/__standin/rotate-key", rotate_key, methods=["POST"]),
    Route("/__standin/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/__standin/clock", clock, methods=["GET", "POST"]),
]
