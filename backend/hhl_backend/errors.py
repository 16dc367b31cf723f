"""JSON response helpers shared by every route: the error envelope (SPEC §3.9) and the 401 shape (SPEC §3.6, §3.8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

WWW_AUTHENTICATE = 'Bearer realm="Hedgehog Learn"'
NO_STORE = "no-store"


def json_response(
    body: Any, status: int = 200, *, headers: Mapping[str, str] | None = None, no_store: bool = False
) -> JSONResponse:
    """A JSON response (`application/json`); `no_store` adds `Cache-Control: no-store`."""
    merged = dict(headers or {})
    if no_store:
        merged.setdefault("Cache-Control", NO_STORE)
    return JSONResponse(body, status_code=status, headers=merged)


def error_response(
    message: str,
    status: int,
    *,
    code: str | None = None,
    details: list[str] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    no_store: bool = False,
) -> JSONResponse:
    """`{"error": msg}` or `{"error": msg, "details": {"code": CODE, "details": [...]}}` plus any `extra` members."""
    body: dict[str, Any] = {"error": message}
    if code is not None:
        inner: dict[str, Any] = {"code": code}
        if details is not None:
            inner["details"] = details
        body["details"] = inner
    if extra:
        body.update(extra)
    return json_response(body, status, headers=headers, no_store=no_store)


def unauthorized(message: str = "Unauthorized") -> JSONResponse:
    """401 with the Bearer challenge; never touches cookies."""
    return error_response(message, 401, headers={"WWW-Authenticate": WWW_AUTHENTICATE}, no_store=True)


def internal_error(message: str = "Internal error") -> JSONResponse:
    return error_response(message, 500, no_store=True)
