"""Loopback-only test hooks of the HubSpot stand-in (`/__standin/*`, no bearer token). Other peers get 403 for every
`/__standin/` path, the app's extra routes included (`LoopbackHooks`).

    POST   /__standin/reset        {"registry": true} (optional) → 200 {"contacts": 0, "properties": N, "groups": M}
           No contacts, faults or ledger; HubSpot's default properties plus the registry's (`"registry": false`: the
           defaults only, a portal before the provisioning command). Contact ids keep counting.
    GET    /__standin/contacts[?email=][&history=true]  → 200 {"results": [<contact with every property>]}
           `history=true` adds `propertiesWithHistory` for every property (newest first, `timestamp` ISO ms Z).
    POST   /__standin/contacts     {"properties": {...}} → 201 <contact>; values stored as given (no validation,
           no faults, no ledger); an email already present → 409 {"error": "conflict", "detail", "id"}
    GET    /__standin/faults       → 200 {"global": <set>, "contacts": {"<email>": <set>}}
    POST   /__standin/faults       one fault (see `sandbox.hubspot.faults`) → 200 the same shape
    DELETE /__standin/faults[?email=<e>|?scope=all] → 200 the same shape; clears that contact's faults, no query:
           the global ones, `scope=all`: every fault
           <set> = {"rate_limit": {"count", "retry_after"} | null, "server_error": {"count", "status"} | null,
                    "latency_ms": int, "outage": bool, "search_lag_ms": int}
    GET    /__standin/requests?email=<e> → 200 [{"at": epoch_s, "method", "path", "status", "early": bool}]
           every CRM API request about that contact, oldest first. A request arriving before the Retry-After of
           the contact's previous 429 elapsed is answered 429 again (`Retry-After`: the remaining seconds); it is
           `early` when it arrived after that 429 was answered (a request already in flight then is not)
    DELETE /__standin/requests[?email=] → 200 {"cleared": "<email>" | "all"} (also forgets the Retry-After window)

Emails are matched case-insensitively. A malformed body → 400 {"error": "invalid_request", "detail": [...]}.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.hubspot.context import HubSpotContext, context_of
from sandbox.hubspot.faults import FaultRequest
from sandbox.hubspot.store import DuplicateEmail

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_FAULT: TypeAdapter[FaultRequest] = TypeAdapter(FaultRequest)
_Body = TypeVar("_Body")


class _Reset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    registry: bool = True


class _Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    properties: dict[str, str | int | float | bool | None]


_RESET = TypeAdapter(_Reset)
_SEED = TypeAdapter(_Seed)


class HookBodyError(Exception):
    """A hook's body is not what it takes; answered 400 by `hook_body_error`."""

    def __init__(self, detail: list[str]) -> None:
        super().__init__("; ".join(detail))
        self.detail = detail


async def hook_body_error(request: Request, exc: Exception) -> Response:
    detail = exc.detail if isinstance(exc, HookBodyError) else [str(exc)]
    return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=400)


class LoopbackHooks:
    """ASGI middleware: every `/__standin/*` path (the extra routes' too) is 403 unless the peer is on loopback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__standin/"):
            peer = scope.get("client") or ("",)
            if peer[0] not in LOOPBACK_HOSTS:
                refused = JSONResponse({"error": "forbidden", "detail": "loopback only"}, status_code=403)
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _parse(request: Request, adapter: TypeAdapter[_Body]) -> _Body:
    raw = await request.body()
    try:
        return adapter.validate_json(raw if raw.strip() else b"{}")
    except ValidationError as exc:
        raise HookBodyError([f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()]) from None


def _email(request: Request) -> str:
    return request.query_params.get("email", "").strip().lower()


async def reset(request: Request) -> Response:
    ctx = context_of(request)
    body = await _parse(request, _RESET)
    ctx.reset(with_registry=body.registry)
    with ctx.lock:
        return JSONResponse({"contacts": 0, "properties": len(ctx.properties), "groups": len(ctx.groups)})


def _dump(ctx: HubSpotContext, email: str, history: bool) -> list[dict]:
    with ctx.lock:
        chosen = [ctx.contacts.by_email(email)] if email else ctx.contacts.all()
        return [c.render(with_history=sorted(c.history) if history else None) for c in chosen if c is not None]


async def contacts(request: Request) -> Response:
    ctx = context_of(request)
    if request.method == "GET":
        history = request.query_params.get("history", "false").lower() == "true"
        return JSONResponse({"results": _dump(ctx, _email(request), history)})
    body = await _parse(request, _SEED)
    values = {name: str(value) for name, value in body.properties.items() if value is not None}
    if "email" in values:
        values["email"] = values["email"].strip().lower()
    with ctx.lock:
        try:
            contact = ctx.contacts.create(values, ctx.clock.now_ms())
        except DuplicateEmail as exc:
            return JSONResponse({"error": "conflict", "detail": str(exc), "id": str(exc.existing.id)}, status_code=409)
        return JSONResponse(contact.render(), status_code=201)


async def faults(request: Request) -> Response:
    ctx = context_of(request)
    fault: FaultRequest | None = None
    if request.method == "POST":
        fault = await _parse(request, _FAULT)
    with ctx.lock:
        if fault is not None:
            ctx.faults.add(fault)
        elif request.method == "DELETE":
            if request.query_params.get("scope") == "all":
                ctx.faults.reset()
            else:
                ctx.faults.clear(_email(request) or None)
        return JSONResponse(ctx.faults.as_json())


async def requests(request: Request) -> Response:
    ctx = context_of(request)
    email = _email(request)
    with ctx.lock:
        if request.method == "DELETE":
            ctx.ledger.clear(email or None)
            return JSONResponse({"cleared": email or "all"})
        if not email:
            raise HookBodyError(["email: the ledger is kept per contact; give ?email="])
        return JSONResponse(ctx.ledger.of(email))


ROUTES = [
    Route("/__standin/reset", reset, methods=["POST"]),
    Route("/__standin/contacts", contacts, methods=["GET", "POST"]),
    Route("/__standin/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/__standin/requests", requests, methods=["GET", "DELETE"]),
]
