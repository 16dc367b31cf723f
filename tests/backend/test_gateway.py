"""The emulated API Gateway (SPEC §3.2): route keys, CORS table, preflight, throttling, config from the template."""

from __future__ import annotations

from pathlib import Path

import pytest
from hhl_backend.gateway import (
    GatewayConfig,
    GatewayEmulator,
    TemplateError,
    gateway_config_from_template,
    wrap_with_gateway,
)
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.backend.auth_fakes import API

SITE_ORIGIN = "http://localhost:8400"
TEMPLATE = Path(__file__).resolve().parents[2] / "backend" / "template.yaml"
MINI_TEMPLATE = """
Parameters:
  CorsOrigins: {Type: CommaDelimitedList}
  Burst: {Type: Number, Default: "3"}
Resources:
  HttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub hedgehog-learn-${Stage}
      CorsConfiguration:
        AllowOrigins: !Ref CorsOrigins
        AllowHeaders: [content-type, authorization, origin]
        AllowMethods: [GET, POST, OPTIONS]
        AllowCredentials: true
        MaxAge: 600
  RouteMe:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref HttpApi, RouteKey: GET /auth/me, Target: !Join [/, [integrations, !Ref X]]}
  RouteTrack:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref HttpApi, RouteKey: POST /events/track}
  ApiStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref HttpApi
      DefaultRouteSettings: {ThrottlingBurstLimit: !Ref Burst, ThrottlingRateLimit: 1}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Role: !GetAtt Role.Arn, Environment: {Variables: {X: !Split [",", "a,b"]}}}
"""


async def _echo(request):  # type: ignore[no-untyped-def]
    # A function that sets its own CORS headers: the gateway must override them.
    return JSONResponse(
        {"ok": True},
        headers={"Access-Control-Allow-Origin": "https://hedgehog.cloud", "Access-Control-Allow-Credentials": "true"},
    )


def _client(config: GatewayConfig, **kwargs) -> TestClient:  # type: ignore[no-untyped-def]
    inner = Starlette(routes=[Route("/auth/me", _echo), Route("/events/track", _echo, methods=["POST", "GET"])])
    return TestClient(wrap_with_gateway(inner, config, **kwargs), base_url=API)


@pytest.fixture
def mini_config(tmp_path: Path) -> GatewayConfig:
    path = tmp_path / "template.yaml"
    path.write_text(MINI_TEMPLATE)
    return gateway_config_from_template(path, {"CorsOrigins": f"{SITE_ORIGIN}, https://www.example.test"})


def test_config_from_mini_template(mini_config: GatewayConfig) -> None:
    assert mini_config.route_keys == {("GET", "/auth/me"), ("POST", "/events/track")}
    assert mini_config.cors_allow_origins == {SITE_ORIGIN, "https://www.example.test"}
    assert mini_config.cors_allow_headers == ("authorization", "content-type", "origin")
    assert mini_config.cors_allow_methods == ("GET", "OPTIONS", "POST")
    assert (mini_config.cors_max_age, mini_config.cors_allow_credentials) == (600, True)
    assert (mini_config.throttle_burst, mini_config.throttle_rate) == (3, 1.0)


def test_config_from_the_real_template() -> None:
    config = gateway_config_from_template(TEMPLATE, {"CorsOrigins": SITE_ORIGIN})
    assert len(config.route_keys) == 10
    assert ("POST", "/auth/logout") in config.route_keys and ("POST", "/auth/login") not in config.route_keys
    assert (config.throttle_burst, config.throttle_rate) == (200, 100.0)
    assert config.cors_allow_origins == {SITE_ORIGIN}


def test_template_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(MINI_TEMPLATE)
    with pytest.raises(TemplateError, match="CorsOrigins"):
        gateway_config_from_template(path, {})
    with pytest.raises(TemplateError, match="cannot read"):
        gateway_config_from_template(tmp_path / "missing.yaml", {})


@pytest.mark.parametrize(("method", "path"), [("GET", "/events/track"), ("POST", "/auth/me"), ("GET", "/api/health")])
def test_unregistered_routes_are_gateway_404(mini_config: GatewayConfig, method: str, path: str) -> None:
    response = _client(mini_config).request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"message":"Not Found"}'


def test_route_keys_are_case_sensitive(mini_config: GatewayConfig) -> None:
    assert _client(mini_config).get("/Auth/Me").status_code == 404


def test_allowed_origin_gets_gateway_cors(mini_config: GatewayConfig) -> None:
    response = _client(mini_config).get("/auth/me", headers={"origin": SITE_ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE_ORIGIN  # overrides the function's value
    assert response.headers.get_list("access-control-allow-origin") == [SITE_ORIGIN]
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


def test_disallowed_origin_never_echoed(mini_config: GatewayConfig) -> None:
    for path in ("/auth/me", "/nope"):
        response = _client(mini_config).get(path, headers={"origin": "https://evil.com"})
        assert not any(name.startswith("access-control-") for name in response.headers)
        assert "evil.com" not in str(response.headers)


def test_preflight(mini_config: GatewayConfig) -> None:
    client = _client(mini_config)
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = client.options("/events/track", headers={"origin": SITE_ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-methods"] == "GET,OPTIONS,POST"
    assert allowed.headers["access-control-allow-headers"] == "authorization,content-type,origin"
    assert allowed.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert allowed.headers["access-control-max-age"] == "600"
    assert allowed.headers["vary"] == "Origin"
    denied = client.options("/events/track", headers={"origin": "https://evil.com", **preflight})
    assert denied.status_code == 204
    assert not any(name.startswith("access-control-") for name in denied.headers)


def test_throttling_is_429_never_5xx(mini_config: GatewayConfig) -> None:
    now = [0.0]
    inner = Starlette(routes=[Route("/auth/me", _echo)])
    client = TestClient(GatewayEmulator(inner, mini_config, clock=lambda: now[0]), base_url=API)
    statuses = [client.get("/auth/me").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    throttled = client.get("/auth/me")
    assert throttled.json() == {"message": "Too Many Requests"}
    now[0] += 1.0  # rate 1/s refills one token
    assert client.get("/auth/me").status_code == 200


def test_crashing_function_is_gateway_500(mini_config: GatewayConfig) -> None:
    async def crashing_function(scope, receive, send):  # type: ignore[no-untyped-def]
        raise RuntimeError("lambda died")

    client = TestClient(wrap_with_gateway(crashing_function, mini_config), base_url=API)
    response = client.get("/auth/me")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
