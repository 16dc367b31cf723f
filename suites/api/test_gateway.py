"""Gateway behaviour (SPEC §3.1, §3.2): unregistered routes, CORS for the allow-list, JSON media type."""

from __future__ import annotations

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.helpers import NOT_FOUND, expect_json, require, where

REQUIRED_METHODS = {"GET", "POST", "OPTIONS"}
REQUIRED_HEADERS = {"content-type", "authorization", "origin"}


def _tokens(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.mark.check("api.gateway.unknown_routes")
def test_gateway_unknown_routes(api: HttpClient, evidence: Evidence) -> None:
    for method, path in (("GET", "/events/track"), ("POST", "/auth/me"), ("GET", "/api/health")):
        response = api.request(method, path)
        expect_json(evidence, response, 404, NOT_FOUND)
        require(
            response.content_type == "application/json", f"{where(response)}: Content-Type {response.content_type!r}"
        )


@pytest.mark.check("api.cors.allowed_origins")
def test_cors_allowed_origins(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    require(bool(env.cors_origins), f"{env.source_file}: `cors_origins` is empty; nothing to verify")
    problems: list[str] = []
    for origin in env.cors_origins:
        simple = api.get("/auth/me", headers={"Origin": origin})
        if simple.headers.get("access-control-allow-origin") != origin:
            problems.append(f"GET {origin}: ACAO {simple.headers.get('access-control-allow-origin')!r}")
        if simple.headers.get("access-control-allow-credentials") != "true":
            problems.append(f"GET {origin}: ACAC {simple.headers.get('access-control-allow-credentials')!r}")
        preflight = api.options(
            "/events/track",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        h = preflight.headers
        if preflight.status != 204:
            problems.append(f"OPTIONS {origin}: status {preflight.status}")
        if h.get("access-control-allow-origin") != origin or h.get("access-control-allow-credentials") != "true":
            problems.append(f"OPTIONS {origin}: ACAO/ACAC {h.get('access-control-allow-origin')!r}")
        if missing := REQUIRED_METHODS - {m.upper() for m in _tokens(h.get("access-control-allow-methods"))}:
            problems.append(f"OPTIONS {origin}: allow-methods lacks {sorted(missing)}")
        if missing := REQUIRED_HEADERS - _tokens(h.get("access-control-allow-headers")):
            problems.append(f"OPTIONS {origin}: allow-headers lacks {sorted(missing)}")
    evidence.record(expected={"problems": []}, actual={"problems": problems})
    require(not problems, f"CORS for allowed origins: {'; '.join(problems)}")


@pytest.mark.check("api.content_type_json")
def test_content_type_json(api: HttpClient, evidence: Evidence) -> None:
    responses = [
        api.get("/auth/me"),
        api.get("/progress/read"),
        api.get("/progress/aggregate", params={"type": "course"}),
        api.post(
            "/events/track", json={"eventName": "learning_page_viewed", "payload": {"content_type": "x", "slug": "y"}}
        ),
        api.get("/auth/callback", params={"state": "x"}),
        api.get("/api/health"),
    ]
    wrong = {where(r): r.headers.get("content-type") for r in responses if r.content_type != "application/json"}
    not_json = [where(r) for r in responses if r.json_or_none() is None]
    evidence.record(
        expected={"wrong content type": {}, "not JSON": []}, actual={"wrong content type": wrong, "not JSON": not_json}
    )
    require(not wrong and not not_json, f"JSON bodies must be application/json: {wrong or not_json}")
