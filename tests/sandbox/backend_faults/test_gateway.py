"""The gateway fault of sandbox/backend_faults/gateway.py: `gateway.cors_wildcard` echoes any origin, with
credentials; the healthy gateway does not."""

from __future__ import annotations

from pathlib import Path

from hhl_backend.gateway import gateway_config_from_template, wrap_with_gateway
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from tests.backend.auth_fakes import API

TEMPLATE = Path(__file__).resolve().parents[3] / "backend" / "template.yaml"


def test_cors_wildcard_echoes_any_origin() -> None:
    config = gateway_config_from_template(TEMPLATE, {"CorsOrigins": "http://localhost:8400"})

    async def me(request):  # type: ignore[no-untyped-def]
        return JSONResponse({})

    inner = Starlette(routes=[Route("/auth/me", me)])
    faulty = TestClient(wrap_with_gateway(inner, config, seams=seams_for_faults(frozenset({"gateway.cors_wildcard"}))))
    healthy = TestClient(wrap_with_gateway(inner, config, seams=seams_for_faults(frozenset())), base_url=API)
    evil = {"origin": "https://evil.com"}
    response = faulty.get("/auth/me", headers=evil)
    assert response.headers["access-control-allow-origin"] == "https://evil.com"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in healthy.get("/auth/me", headers=evil).headers
