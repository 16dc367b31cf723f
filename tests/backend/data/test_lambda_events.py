"""The data routes through the Lambda handler with API Gateway v2 events: the cap counts decoded bytes (SPEC §3.9)."""

from __future__ import annotations

import base64
import json
from typing import Any

from hhl_backend.app import create_app
from hhl_backend.config import Settings
from hhl_backend.lambda_handler import build_handler
from hhl_backend.seams import Seams
from hhl_backend.store import Store

from tests.backend.data.store_fixtures import Caller
from tests.backend.data.test_events import padded
from tests.backend.lambda_invoke import off_main_loop


class _Context:
    aws_request_id = "req-1"
    function_name = "hedgehog-learn-local-api"


def v2_event(method: str, path: str, body: bytes, *, base64_encoded: bool) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.test"},
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": "r",
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "body": base64.b64encode(body).decode() if base64_encoded else body.decode(),
        "isBase64Encoded": base64_encoded,
    }


def test_base64_bodies_are_capped_after_decoding(store: Store, settings: Settings, caller: Caller) -> None:
    seams = Seams(identity_resolver=caller.resolve, store_factory=lambda _s, _c: store)
    handler = off_main_loop(build_handler(create_app(settings, seams=seams)))
    # 10,000 decoded bytes are ~13,336 base64 characters: still accepted.
    ok = handler(v2_event("POST", "/events/track", padded(10_000), base64_encoded=True), _Context())
    assert ok["statusCode"] == 200 and json.loads(ok["body"])["status"] == "persisted"
    big = handler(v2_event("POST", "/events/track", padded(10_001), base64_encoded=True), _Context())
    assert big["statusCode"] == 400
    assert json.loads(big["body"])["details"]["code"] == "PAYLOAD_TOO_LARGE"
    plain = handler(v2_event("POST", "/quiz/grade", b"{nope", base64_encoded=False), _Context())
    assert plain["statusCode"] == 400 and json.loads(plain["body"])["details"]["code"] == "INVALID_JSON"
