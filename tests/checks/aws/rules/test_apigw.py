"""checks/aws/rules/apigw.py (the HTTP API): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import pytest

from tests.checks.aws.rules.cases import Case, assert_outcome, cases, stage

CASES: list[Case] = [
    (
        "infra.apigw.routes",
        "legacy login route (security.auth.no_email_only_login's finding: a note here)",
        lambda s, e: s["apigatewayv2"]["routes"].append({"RouteKey": "POST /auth/login"}),
        "passed",
        "security.auth.no_email_only_login",
    ),
    (
        "infra.apigw.routes",
        "another unexpected route",
        lambda s, e: s["apigatewayv2"]["routes"].append({"RouteKey": "ANY /{proxy+}"}),
        "failed",
        "ANY /{proxy+}",
    ),
    (
        "infra.apigw.routes",
        "payload 1.0",
        lambda s, e: s["apigatewayv2"]["integrations"][0].update(PayloadFormatVersion="1.0"),
        "failed",
        "payload",
    ),
    ("infra.apigw.routes", "no auto-deploy", lambda s, e: stage(s).update(AutoDeploy=False), "failed", "AutoDeploy"),
    (
        "infra.apigw.cors_and_throttle",
        "wildcard origin",
        lambda s, e: s["apigatewayv2"]["api"]["CorsConfiguration"]["AllowOrigins"].append("*"),
        "failed",
        "AllowOrigins",
    ),
    (
        "infra.apigw.cors_and_throttle",
        "no credentials",
        lambda s, e: s["apigatewayv2"]["api"]["CorsConfiguration"].update(AllowCredentials=False),
        "failed",
        "AllowCredentials",
    ),
    (
        "infra.apigw.cors_and_throttle",
        "no throttling",
        lambda s, e: stage(s).update(DefaultRouteSettings={}),
        "failed",
        "throttling",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)
