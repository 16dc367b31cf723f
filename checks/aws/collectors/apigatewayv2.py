"""API Gateway v2: the HTTP API (CORS), routes, integrations and stages. The API id is the env's, else the one
mapped to the custom domain of `api_base_url` (prod's execute-api id is unknown, SPEC §2)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from checks.aws.collectors._util import pages, pick
from checks.aws.schema import Api, ApiGatewayV2Data, Integration, Route, Stage
from checks.aws.snapshot import CollectContext


def _api_id_from_domain(client: Any, base_url: str) -> str | None:
    host = urlsplit(base_url).hostname or ""
    mappings = client.get_api_mappings(DomainName=host).get("Items", [])
    root = [m for m in mappings if m.get("ApiMappingKey", "") in ("", "(none)")]
    chosen = (root or mappings)[:1]
    return chosen[0]["ApiId"] if chosen else None


def collect(ctx: CollectContext) -> ApiGatewayV2Data:
    client = ctx.client("apigatewayv2")
    api_id: str | None = ctx.env.api_id
    source = "env api_id"
    if not api_id:
        base_url = ctx.env.api_base_url or ""  # unset: no host, so no mapping (the error below says so)
        host = urlsplit(base_url).hostname
        source = f"api mapping of {host}"
        api_id = ctx.attempt("api_id", lambda: _api_id_from_domain(client, base_url))
        if api_id is None and "api_id" not in ctx.errors:
            ctx.errors["api_id"] = f"no API mapping for domain {host} (set api_id in the env file)"
    if not api_id:
        return {
            "api_id": None,
            "api_id_source": source,
            "api": None,
            "routes": None,
            "integrations": None,
            "stages": None,
        }
    api = ctx.attempt("api", lambda: client.get_api(ApiId=api_id))
    routes = ctx.attempt("routes", lambda: pages(client, "get_routes", "Items", ApiId=api_id))
    integrations = ctx.attempt("integrations", lambda: pages(client, "get_integrations", "Items", ApiId=api_id))
    stages = ctx.attempt("stages", lambda: pages(client, "get_stages", "Items", ApiId=api_id))
    return {
        "api_id": api_id,
        "api_id_source": source,
        "api": pick(api, Api) if api else None,
        "routes": [pick(r, Route) for r in routes] if routes is not None else None,
        "integrations": [pick(i, Integration) for i in integrations] if integrations is not None else None,
        "stages": [pick(s, Stage) for s in stages] if stages is not None else None,
    }
