"""AWS Lambda entry point (`hhl_backend.lambda_handler.handler`): Mangum over `create_app()`, HTTP API v2 payloads.

The handler is built on first access from the environment (D15), so a missing variable fails the cold start loudly
while importing this module for its helpers needs no configuration. Mangum reads request cookies from v2
`event.cookies` and returns every Set-Cookie in the v2 `cookies` array (SPEC §3.2).
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum
from starlette.applications import Starlette

from hhl_backend.app import create_app
from hhl_backend.blocking import serve_one_request_at_a_time


def build_handler(app: Starlette | None = None) -> Mangum:
    """A Mangum handler for `app` (default: `create_app()` from the environment), which it then serves one request
    at a time (hhl_backend.blocking: blocking work inline). No lifespan: the app has none."""
    served = serve_one_request_at_a_time(app if app is not None else create_app())
    return Mangum(served, lifespan="off", api_gateway_base_path="/")


def __getattr__(name: str) -> Any:
    # PEP 562: the Lambda runtime resolves `handler` with getattr(), which builds it once per execution environment.
    if name == "handler":
        handler = build_handler()
        globals()["handler"] = handler
        return handler
    raise AttributeError(name)
