"""Call a Mangum handler as Lambda does: on a thread of its own with a fresh event loop. Lambda's thread has no loop
running; a pytest worker's main thread may have one (pytest-playwright's sync API keeps its loop there), and Mangum
runs the ASGI cycle with `run_until_complete` on the thread's loop. Also: an API Gateway HTTP API v2 event and a
Lambda context to call it with."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def off_main_loop(handler: Handler) -> Handler:
    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                return handler(event, context)
            finally:
                asyncio.set_event_loop(None)
                loop.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    return invoke


CONTEXT = types.SimpleNamespace(aws_request_id="req-123", function_name="hedgehog-learn-local-api")


def v2_event(method: str, path: str, *, query: dict[str, str] | None = None, cookies: list[str] | None = None,
             headers: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {"host": "api.example.test", "x-forwarded-proto": "https", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "api.example.test",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": "req-123",
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if cookies:
        event["cookies"] = cookies  # API Gateway moves the Cookie header here; headers.cookie is absent
    return event
