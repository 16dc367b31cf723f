"""Loopback-only test hooks of the hosted-UI stand-in (SPEC §9). Requests from any other address get 403.

    POST /__standin/rotate-key   {"keep_old": true}          (body optional; default keep_old=true)
         → 200 {"kid": "<new active kid>", "kids": ["<new>", ...published kids, newest first],
                "jwks_served_s_ago": <seconds since anyone last fetched the JWKS, or null>}
         {"activate": "<published kid>"} signs with that key again (no new key); an unpublished kid → 400
    GET|POST|DELETE /__standin/faults[?user=<email>]
         POST body: see `sandbox.idp.switches` (replaces the whole set); DELETE clears it; GET shows it
         → 200 {"token_endpoint": null | {...}, "id_token": [...], "access_token": [...]}
         With `?user=`, the switches apply to that user's grants only (others keep the global set): concurrent
         runs and xdist workers, each signed in as its own user, never see each other's defects. Without it,
         they apply to every user (one run alone on its sandbox only).
    POST /__standin/users        {"given_name": "...", "family_name": "..."}  (body optional)
         → 201 {"username": "learner-<hex>@example.com", "password": "<fresh, meets the pool policy>"}
         A confirmed user in the moto pool (verified email, permanent password: no first-sign-in challenge)
         who can sign in through /login at once. One per process per run (the harness's `test_user`), so no two
         workers or runs share a user. The password is in this answer only; keep it out of every log.
    GET|POST /__standin/clock    {"offset_s": 400}           (absolute offset from wall time, seconds)
         → 200 {"offset_s": 400.0, "now": <stand-in epoch seconds>}

A malformed body → 400 {"error": "invalid_request", "detail": [<pydantic error summaries>]}.
"""

from __future__ import annotations

import functools
import json
import secrets
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


class _NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    given_name: str = Field(default="Test", max_length=64)
    family_name: str = Field(default="Learner", max_length=64)


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
    return JSONResponse({"kid": key.kid, "kids": ctx.keys.kids(), "jwks_served_s_ago": ctx.keys.seconds_since_served()})


@loopback_only
async def faults(request: Request) -> Response:
    ctx = context_of(request)
    user = request.query_params.get("user", "").strip().lower()
    if not user:
        if request.method == "POST":
            ctx.switches = await _parse(request, FaultSwitches)
        elif request.method == "DELETE":
            ctx.switches = NO_FAULTS
        return JSONResponse(ctx.switches.as_json())
    if request.method == "POST":
        ctx.user_switches[user] = await _parse(request, FaultSwitches)
    elif request.method == "DELETE":
        ctx.user_switches.pop(user, None)
    return JSONResponse(ctx.user_switches.get(user, NO_FAULTS).as_json())


def new_password(policy: dict) -> str:
    """A fresh password meeting `policy` (Cognito PasswordPolicy): upper, lower, digit and symbol always
    present, at least the minimum length."""
    length = max(int(policy.get("MinimumLength", 8)), 24)
    core = secrets.token_urlsafe(length)[: length - 4]
    return f"Hh1-{core}"


@loopback_only
async def users(request: Request) -> Response:
    ctx = context_of(request)
    body = await _parse(request, _NewUser)
    email = f"learner-{secrets.token_hex(6)}@example.com"
    password = new_password(await ctx.directory.password_policy())
    await ctx.directory.create_user(email, password, {"given_name": body.given_name, "family_name": body.family_name})
    created = {"username": email, "password": password}
    return JSONResponse(created, status_code=201, headers={"Cache-Control": "no-store"})


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
    Route("/__standin/users", users, methods=["POST"]),
]
