"""The Lambda application (SPEC §3): settings, seams, catalog, store and auth services wired into one Starlette app.

`create_app` refuses to start on bad configuration or an invalid catalog: it raises instead of serving.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hhl_backend.auth.tokens import TokenVerifier
from hhl_backend.config import Settings, load_settings
from hhl_backend.errors import error_response, internal_error
from hhl_backend.logs import configure_logging, log_event
from hhl_backend.routes import all_routes
from hhl_backend.seams import JSON_CONTENT_TYPE, Seams, no_store_by_default

_HIDDEN_HEADERS = (b"server", b"x-powered-by")


def _request_id(scope: Scope) -> str:
    context = scope.get("aws.context")  # set by Mangum: the Lambda request id correlates with CloudWatch
    return getattr(context, "aws_request_id", None) or uuid.uuid4().hex


class ResponseHardening:
    """Common headers of SPEC §3.1 (JSON bodies labelled `json_content_type`), one JSON log line per request, and
    a JSON 500 for any unexpected exception."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        json_content_type: str = JSON_CONTENT_TYPE,
        nosniff: bool = True,
        cache_control: Callable[[str, str | None], str | None] = no_store_by_default,
    ) -> None:
        self.app = app
        self.json_content_type = json_content_type
        self.nosniff = nosniff
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_hardened(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _HIDDEN_HEADERS]
                headers = MutableHeaders(scope=message)
                if self.nosniff:
                    headers["X-Content-Type-Options"] = "nosniff"
                if headers.get("content-type", "").startswith(JSON_CONTENT_TYPE):
                    headers["Content-Type"] = self.json_content_type
                # Unless a route chose otherwise: nothing this API returns is meant for shared caches.
                cache_control = self.cache_control(scope.get("path", ""), headers.get("cache-control"))
                if cache_control is None:
                    del headers["cache-control"]
                else:
                    headers["Cache-Control"] = cache_control
            await send(message)

        try:
            await self.app(scope, receive, send_hardened)
        except Exception:
            log_event("unhandled_exception", level=logging.ERROR, exc_info=True, route=scope.get("path"))
            if response_started:
                raise
            await internal_error()(scope, receive, send_hardened)
        finally:
            log_event(
                "request",
                route=scope.get("path"),
                method=scope.get("method"),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                request_id=_request_id(scope),
            )


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Framework-level errors (405, 404 without the gateway) as JSON, never Starlette's text/plain."""
    assert isinstance(exc, HTTPException)
    return error_response(exc.detail, exc.status_code, headers=exc.headers)


def create_app(settings: Settings | None = None, *, seams: Seams | None = None) -> Starlette:
    """Build the application; raises ConfigError / CatalogError instead of starting half-configured."""
    from hhl_backend.content import load_catalog  # the data half's package

    settings = settings if settings is not None else load_settings()
    seams = seams if seams is not None else Seams()
    configure_logging(settings.log_level)
    catalog = load_catalog(settings.content_dir)
    http = httpx.Client(transport=seams.http_transport, follow_redirects=False)
    app = Starlette(
        routes=[*all_routes(), *seams.extra_routes],
        middleware=[
            Middleware(
                ResponseHardening,
                json_content_type=seams.json_content_type,
                cache_control=seams.cache_control,
                nosniff=seams.nosniff,
            )
        ],
        exception_handlers={HTTPException: _http_exception},
    )
    state: Any = app.state
    state.settings = settings
    state.seams = seams
    state.catalog = catalog
    state.store = seams.store_factory(settings, catalog)
    state.txn_codec = seams.transaction_codec(settings)
    state.verifier = TokenVerifier(
        issuer=settings.cognito_issuer,
        client_id=settings.cognito_client_id,
        jwks=seams.jwks_cache_factory(settings, http),
    )
    state.idp = seams.idp_client_factory(settings, http)
    return app
