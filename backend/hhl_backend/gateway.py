"""Local emulation of API Gateway HTTP API in front of the Lambda app (SPEC §3.2, D13).

What a browser sees from the real gateway: only registered route keys reach the function (else a JSON 404), CORS is
answered by the gateway and overrides anything the function sets, and a stage token bucket answers 429. The route
keys, CORS settings and throttle come from the same CloudFormation template that the real stack is deployed from.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hhl_backend.seams import Seams, origin_in_allow_list


class TemplateError(ValueError):
    """The template lacks what the gateway needs; the message names the resource or parameter."""


@dataclass(frozen=True)
class GatewayConfig:
    route_keys: frozenset[tuple[str, str]]  # (METHOD, exact path)
    cors_allow_origins: frozenset[str]
    cors_allow_headers: tuple[str, ...] = ("authorization", "content-type", "origin")
    cors_allow_methods: tuple[str, ...] = ("GET", "OPTIONS", "POST")
    cors_max_age: int = 600
    cors_allow_credentials: bool = True
    throttle_burst: int = 200
    throttle_rate: float = 100.0


# --- template loading -------------------------------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (!Ref, !Sub, !GetAtt, !Split...) into `{"Fn::X": value}`."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def _resolve(value: Any, parameters: Mapping[str, Any]) -> Any:
    """Resolve `Ref` to a parameter (the only intrinsic these properties use); CommaDelimitedList → list."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        name = value["Ref"]
        if name not in parameters:
            raise TemplateError(f"template references parameter {name!r} without a value")
        return parameters[name]
    return value


def _parameter_values(template: dict[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        raw = overrides.get(name, spec.get("Default"))
        if raw is None:
            continue
        is_list = spec.get("Type") == "CommaDelimitedList"
        values[name] = [item.strip() for item in str(raw).split(",") if item.strip()] if is_list else raw
    return values


def gateway_config_from_template(template_path: str | Path, parameters: dict[str, str]) -> GatewayConfig:
    """Route keys (`Route*`), CORS (`HttpApi.CorsConfiguration`) and throttle (`ApiStage`) from the template."""
    try:
        template = yaml.load(Path(template_path).read_text(encoding="utf-8"), Loader=_CfnLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read template {template_path}: {type(exc).__name__}") from None
    resources: dict[str, Any] = template.get("Resources") or {}
    params = _parameter_values(template, parameters)

    route_keys = set()
    for resource in resources.values():
        if resource.get("Type") == "AWS::ApiGatewayV2::Route":
            method, _, path = str(resource["Properties"]["RouteKey"]).partition(" ")
            route_keys.add((method.upper(), path))
    api = next((r for r in resources.values() if r.get("Type") == "AWS::ApiGatewayV2::Api"), None)
    stage = next((r for r in resources.values() if r.get("Type") == "AWS::ApiGatewayV2::Stage"), None)
    if not route_keys or api is None or stage is None:
        raise TemplateError("template needs AWS::ApiGatewayV2::Api, ::Route and ::Stage resources")
    cors = api.get("Properties", {}).get("CorsConfiguration") or {}
    throttle = stage.get("Properties", {}).get("DefaultRouteSettings") or {}
    origins = _resolve(cors.get("AllowOrigins", []), params)
    return GatewayConfig(
        route_keys=frozenset(route_keys),
        cors_allow_origins=frozenset(origins if isinstance(origins, list) else [origins]),
        cors_allow_headers=tuple(sorted(h.lower() for h in _resolve(cors.get("AllowHeaders", []), params))),
        cors_allow_methods=tuple(sorted(m.upper() for m in _resolve(cors.get("AllowMethods", []), params))),
        cors_max_age=int(_resolve(cors.get("MaxAge", 0), params)),
        cors_allow_credentials=bool(_resolve(cors.get("AllowCredentials", False), params)),
        throttle_burst=int(_resolve(throttle.get("ThrottlingBurstLimit", 5000), params)),
        throttle_rate=float(_resolve(throttle.get("ThrottlingRateLimit", 10000), params)),
    )


# --- request handling -------------------------------------------------------------------------------------------


class TokenBucket:
    """API Gateway's stage throttle: `burst` tokens, refilled at `rate` per second."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(burst)
        self._rate = rate
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()

    def take(self) -> bool:
        # No await between read and write: atomic on the event loop.
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


async def _send_json(send: Send, status: int, body: dict[str, Any], cors: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *cors]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class GatewayEmulator:
    def __init__(
        self,
        app: ASGIApp,
        config: GatewayConfig,
        *,
        origin_allowed: Callable[[frozenset[str], str], bool] = origin_in_allow_list,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.config = config
        self._origin_allowed = origin_allowed
        self._bucket = TokenBucket(config.throttle_burst, config.throttle_rate, clock)

    def _cors_headers(self, origin: str | None, *, preflight: bool) -> list[tuple[bytes, bytes]]:
        if origin is None or not self._origin_allowed(self.config.cors_allow_origins, origin):
            return []  # a disallowed origin is never echoed
        cfg = self.config
        headers = [(b"access-control-allow-origin", origin.encode("latin-1"))]
        if cfg.cors_allow_credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        if preflight:
            headers += [
                (b"access-control-allow-methods", ",".join(cfg.cors_allow_methods).encode()),
                (b"access-control-allow-headers", ",".join(cfg.cors_allow_headers).encode()),
                (b"access-control-max-age", str(cfg.cors_max_age).encode()),
            ]
        headers.append((b"vary", b"Origin"))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        method, path = scope["method"].upper(), scope["path"]
        if method == "OPTIONS" and "access-control-request-method" in request_headers:
            cors = self._cors_headers(origin, preflight=True)
            await send({"type": "http.response.start", "status": 204, "headers": cors})
            await send({"type": "http.response.body", "body": b""})
            return
        cors = self._cors_headers(origin, preflight=False)
        if not self._bucket.take():
            await _send_json(send, 429, {"message": "Too Many Requests"}, cors)
            return
        if (method, path) not in self.config.route_keys:
            await _send_json(send, 404, {"message": "Not Found"}, cors)
            return
        await self._forward(scope, receive, send, cors)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, cors: list[tuple[bytes, bytes]]) -> None:
        started = False

        async def send_with_gateway_cors(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                # The gateway's CORS answer overrides whatever the function set.
                for name in [k for k in headers if k.startswith("access-control-")]:
                    del headers[name]
                message["headers"] = [*message["headers"], *cors]
            await send(message)

        try:
            await self.app(scope, receive, send_with_gateway_cors)
        except Exception:
            # A crashed integration: the gateway answers for the function.
            if started:
                raise
            await _send_json(send, 500, {"message": "Internal Server Error"}, cors)


def wrap_with_gateway(app: ASGIApp, config: GatewayConfig, *, seams: Seams | None = None) -> ASGIApp:
    """`app` behind the emulated gateway; `seams.cors_origin_allowed` decides CORS (the default = the allow-list), and
    `seams.extra_routes` are deployed as route keys too."""
    seams = seams or Seams()
    extra = {
        (method, route.path) for route in seams.extra_routes for method in (route.methods or ()) if method != "HEAD"
    }
    if extra:
        config = replace(config, route_keys=config.route_keys | extra)
    return GatewayEmulator(app, config, origin_allowed=seams.cors_origin_allowed)
