"""The HTTP API: infra.apigw.routes, infra.apigw.cors_and_throttle."""

from __future__ import annotations

from checks.aws.model import Judgement, View, rule
from checks.aws.rules.expected import ROUTE_KEYS
from checks.aws.schema import Stage

STAGE = "$default"
EMAIL_ONLY_LOGIN = "POST /auth/login"  # the real deployment's legacy route (SPEC §3.1)


def default_stage(view: View, j: Judgement) -> Stage | None:
    stage = next((s for s in view.item("apigatewayv2", "stages") if s.get("StageName") == STAGE), None)
    if stage is None:
        j.fail(f"no {STAGE} stage on API {view.section('apigatewayv2')['api_id']}")
    return stage


@rule("infra.apigw.routes", "apigatewayv2")
def routes(view: View, j: Judgement) -> None:
    """Exactly the ten route keys, integrations with payload 2.0, stage $default auto-deployed."""
    keys = {str(r.get("RouteKey")) for r in view.item("apigatewayv2", "routes")}
    missing, extra = sorted(ROUTE_KEYS - keys), sorted(keys - ROUTE_KEYS)
    if EMAIL_ONLY_LOGIN in extra:
        # The legacy email-only login is security.auth.no_email_only_login's finding (one root cause, one red check).
        extra.remove(EMAIL_ONLY_LOGIN)
        j.note(f"route {EMAIL_ONLY_LOGIN} deployed: security.auth.no_email_only_login's concern")
    j.expect(
        "route keys",
        sorted(ROUTE_KEYS),
        sorted(keys),
        ok=not missing and not extra,
        detail=f"missing {missing}, unexpected {extra}",
    )
    integrations = view.item("apigatewayv2", "integrations")
    versions = {i.get("IntegrationId"): i.get("PayloadFormatVersion") for i in integrations}
    j.expect(
        "payload format",
        "2.0",
        versions,
        ok=bool(versions) and set(versions.values()) == {"2.0"},
        detail=f"every integration must use payload 2.0, got {versions or 'no integrations'}",
    )
    stage = default_stage(view, j)
    if stage is not None:
        j.expect(f"{STAGE} AutoDeploy", True, stage.get("AutoDeploy"))


@rule("infra.apigw.cors_and_throttle", "apigatewayv2")
def cors_and_throttle(view: View, j: Judgement) -> None:
    """CORS origins exactly the env's (no `*`), credentials allowed; $default stage throttling set."""
    api = view.item("apigatewayv2", "api")
    cors = api.get("CorsConfiguration") or {}
    origins = cors.get("AllowOrigins") or []
    wanted = sorted(view.env.cors_origins)
    j.expect("AllowOrigins", wanted, sorted(origins), ok=set(origins) == set(wanted) and "*" not in origins)
    j.expect("AllowCredentials", True, cors.get("AllowCredentials"))
    stage = default_stage(view, j)
    if stage is None:
        return
    settings = stage.get("DefaultRouteSettings") or {}
    throttle = {
        "ThrottlingBurstLimit": settings.get("ThrottlingBurstLimit"),
        "ThrottlingRateLimit": settings.get("ThrottlingRateLimit"),
    }
    j.expect("throttling", "burst and rate > 0", throttle, ok=all((v or 0) > 0 for v in throttle.values()))
