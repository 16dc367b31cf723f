"""Each rule on hand-edited copies of the healthy snapshot: one defect per case must give the stated outcome.

Together with test_against_moto.py (healthy passes, each sandbox fault is caught) this shows every check can fail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from checks.aws import evaluate
from tests.checks.aws.conftest import StaticSnapshot

Mutation = Callable[[dict[str, Any], SimpleNamespace], None]


def alarm(s: dict[str, Any], suffix: str) -> dict[str, Any]:
    return s["cloudwatch"]["alarms"][f"hedgehog-learn-local-{suffix}"]


def table(s: dict[str, Any], role: str) -> dict[str, Any]:
    return s["dynamodb"]["tables"][role]


def stage(s: dict[str, Any]) -> dict[str, Any]:
    return s["apigatewayv2"]["stages"][0]


def as_aws(_: dict[str, Any], env: SimpleNamespace) -> None:
    env.kind = "aws"


CASES: list[tuple[str, str, Mutation, str, str]] = [
    # (check, case name, mutation, expected status, fragment of the message)
    (
        "infra.target.account_region",
        "other account",
        lambda s, e: setattr(e, "account_id", "999999999999"),
        "failed",
        "expected '999999999999'",
    ),
    (
        "infra.target.account_region",
        "account unknown",
        lambda s, e: setattr(e, "account_id", None),
        "warning",
        "account_id is null",
    ),
    ("infra.target.account_region", "wrong region", lambda s, e: setattr(e, "region", "eu-west-1"), "failed", "region"),
    (
        "infra.target.account_region",
        "no stack",
        lambda s, e: s["cloudformation"].update(stack=None, errors={"stack": "DescribeStacks: ValidationError: gone"}),
        "failed",
        "ValidationError: gone",
    ),
    (
        "infra.cfn.stack_status",
        "rolled back",
        lambda s, e: s["cloudformation"]["stack"].update(StackStatus="UPDATE_ROLLBACK_COMPLETE"),
        "failed",
        "ROLLBACK",
    ),
    (
        "infra.cfn.stack_status",
        "real, drifted",
        lambda s, e: (
            as_aws(s, e),
            s["cloudformation"]["stack"].update(DriftInformation={"StackDriftStatus": "DRIFTED"}),
        ),
        "failed",
        "drift DRIFTED",
    ),
    ("infra.cfn.stack_status", "real, drift never checked", as_aws, "warning", "drift never detected"),
    (
        "infra.lambda.config",
        "failed state",
        lambda s, e: s["lambda"]["function"].update(State="Failed"),
        "failed",
        "State",
    ),
    (
        "infra.lambda.config",
        "wrong handler",
        lambda s, e: s["lambda"]["function"].update(Handler="index.handler"),
        "failed",
        "Handler",
    ),
    (
        "infra.lambda.env_vars",
        "missing variable",
        lambda s, e: s["lambda"]["function"]["Environment"]["names"].remove("COGNITO_ISSUER"),
        "failed",
        "COGNITO_ISSUER",
    ),
    (
        "infra.lambda.env_vars",
        "empty variable",
        lambda s, e: s["lambda"]["function"]["Environment"]["empty"].append("SITE_BASE_URL"),
        "failed",
        "SITE_BASE_URL",
    ),
    (
        "infra.lambda.alias_live",
        "alias on $LATEST",
        lambda s, e: s["lambda"]["aliases"][0].update(FunctionVersion="$LATEST"),
        "failed",
        "not a published version",
    ),
    (
        "infra.lambda.alias_live",
        "integration on the bare function",
        lambda s, e: s["apigatewayv2"]["integrations"][0].update(IntegrationUri=s["lambda"]["function"]["FunctionArn"]),
        "failed",
        "integration targets",
    ),
    (
        "infra.lambda.alias_live",
        "no alias (real dev)",
        lambda s, e: s["lambda"].update(aliases=[]),
        "failed",
        "no alias 'live'",
    ),
    (
        "infra.dynamodb.tables",
        "GSI keys only",
        lambda s, e: table(s, "users")["GlobalSecondaryIndexes"][0]["Projection"].update(ProjectionType="KEYS_ONLY"),
        "failed",
        "GSI1 projection",
    ),
    (
        "infra.dynamodb.tables",
        "table missing",
        lambda s, e: (
            s["dynamodb"]["tables"].update(badges=None),
            s["dynamodb"]["errors"].update({"badges:describe_table": "ResourceNotFoundException: nope"}),
        ),
        "failed",
        "ResourceNotFoundException: nope",
    ),
    (
        "infra.dynamodb.billing_tags_protection",
        "serverless tags",
        lambda s, e: table(s, "users")["Tags"].update(ManagedBy="serverless-framework"),
        "failed",
        "tags",
    ),
    (
        "infra.dynamodb.billing_tags_protection",
        "no deletion protection",
        lambda s, e: table(s, "progress").update(DeletionProtectionEnabled=False),
        "failed",
        "deletion protection",
    ),
    (
        "infra.alarms.definitions",
        "datapoints differ",
        lambda s, e: alarm(s, "lambda-throttles").update(DatapointsToAlarm=1),
        "failed",
        "DatapointsToAlarm",
    ),
    (
        "infra.alarms.definitions",
        "REST metric name (real)",
        lambda s, e: alarm(s, "httpapi-5xx").update(MetricName="5XXError"),
        "failed",
        "5XXError",
    ),
    (
        "infra.alarms.definitions",
        "composite ANDs",
        lambda s, e: s["cloudformation"]["template"]["composite_alarms"][0].update(
            AlarmRule=s["cloudformation"]["template"]["composite_alarms"][0]["AlarmRule"].replace(" OR ", " AND ", 1)
        ),
        "failed",
        "not a plain OR",
    ),
    ("infra.alarms.definitions", "real, composite missing", as_aws, "failed", "composite alarm"),
    (
        "infra.alarms.state",
        "insufficient data, notBreaching",
        lambda s, e: alarm(s, "httpapi-5xx").update(StateValue="INSUFFICIENT_DATA"),
        "warning",
        "INSUFFICIENT_DATA",
    ),
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
    (
        "infra.cognito.pool",
        "MFA on",
        lambda s, e: s["cognito"]["pool"].update(MfaConfiguration="ON"),
        "failed",
        "MfaConfiguration",
    ),
    (
        "infra.cognito.pool",
        "digits optional",
        lambda s, e: s["cognito"]["pool"]["Policies"]["PasswordPolicy"].update(RequireNumbers=False),
        "failed",
        "RequireNumbers",
    ),
    (
        "infra.cognito.client",
        "client secret",
        lambda s, e: s["cognito"]["client"].update(HasSecret=True),
        "failed",
        "client secret",
    ),
    (
        "infra.cognito.client",
        "implicit flow",
        lambda s, e: s["cognito"]["client"].update(AllowedOAuthFlows=["code", "implicit"]),
        "failed",
        "AllowedOAuthFlows",
    ),
    (
        "infra.cognito.client",
        "no token revocation",
        lambda s, e: s["cognito"]["client"].update(EnableTokenRevocation=False),
        "failed",
        "EnableTokenRevocation",
    ),
    (
        "infra.cognito.domain",
        "domain creating",
        lambda s, e: s["cognito"]["domain"].update(Status="CREATING"),
        "failed",
        "Status",
    ),
    (
        "infra.cognito.domain",
        "real, managed login v2",
        lambda s, e: (as_aws(s, e), s["cognito"]["domain"].update(ManagedLoginVersion=2)),
        "failed",
        "ManagedLoginVersion",
    ),
    ("security.ops.alarm_actions", "real, no confirmed subscriber", as_aws, "failed", "confirmed subscriptions"),
    (
        "security.ops.alarm_actions",
        "no topic (real dev)",
        lambda s, e: s["sns"].update(configured=None, topic=None),
        "failed",
        "sns_topic is null",
    ),
    (
        "security.ops.alarm_actions",
        "actions disabled",
        lambda s, e: alarm(s, "lambda-errors").update(ActionsEnabled=False),
        "failed",
        "ActionsEnabled",
    ),
    (
        "security.ops.dashboard",
        "no dashboard (real dev)",
        lambda s, e: s["cloudwatch"].update(dashboard=None, errors={"dashboard": "GetDashboard: ResourceNotFound: x"}),
        "failed",
        "ResourceNotFound",
    ),
    (
        "security.ops.dashboard",
        "dashboard misses the API",
        lambda s, e: s["apigatewayv2"].update(api_id="otherapi"),
        "failed",
        "otherapi",
    ),
    (
        "security.ops.explicit_memory_timeout",
        "undeclared (framework defaults)",
        lambda s, e: s["cloudformation"]["template"]["functions"][0].update(MemorySize=None, Timeout=None),
        "failed",
        "not declared",
    ),
    (
        "security.iam.least_privilege",
        "dynamodb:*",
        lambda s, e: s["iam"]["inline_policies"]["dynamodb"]["Statement"][0]["Action"].append("dynamodb:*"),
        "failed",
        "dynamodb:*",
    ),
    (
        "security.iam.least_privilege",
        "Scan and DeleteItem (real)",
        lambda s, e: s["iam"]["inline_policies"]["dynamodb"]["Statement"][0]["Action"].extend(
            ["dynamodb:Scan", "dynamodb:DeleteItem"]
        ),
        "failed",
        "dynamodb:Scan",
    ),
    (
        "security.iam.least_privilege",
        "admin wildcard",
        lambda s, e: s["iam"]["inline_policies"]["logs"]["Statement"][0].update(Action="*"),
        "failed",
        "logs: *",
    ),
]


@pytest.mark.parametrize(
    ("check_id", "mutate", "status", "fragment"),
    [pytest.param(c, m, st, f, id=f"{c}:{name}") for c, name, m, st, f in CASES],
)
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    env, sections, _ = healthy
    sections, env = copy.deepcopy(sections), SimpleNamespace(**vars(env))
    assert evaluate(StaticSnapshot(sections, env), check_id).status in ("passed", "warning")  # baseline
    mutate(sections, env)
    finding = evaluate(StaticSnapshot(sections, env), check_id)
    assert finding.status == status, finding.message
    assert fragment in finding.message


def test_real_callback_sets_may_hold_more_than_the_env_declares(healthy):
    env, sections, _ = healthy
    sections, env = copy.deepcopy(sections), SimpleNamespace(**{**vars(env), "kind": "aws"})
    sections["cognito"]["client"]["CallbackURLs"].append("https://hedgehog.cloud/auth/callback")
    assert evaluate(StaticSnapshot(sections, env), "infra.cognito.client").status == "passed"
    sections["cognito"]["client"]["CallbackURLs"] = ["https://hedgehog.cloud/auth/callback"]
    assert evaluate(StaticSnapshot(sections, env), "infra.cognito.client").status == "failed"


def test_metrics_emitted_passes_when_every_alarmed_metric_is_listed(healthy):
    env, sections, _ = healthy
    sections = copy.deepcopy(sections)
    sections["cloudwatch"]["metrics_listed"] = dict.fromkeys(sections["cloudwatch"]["alarms"], True)
    assert evaluate(StaticSnapshot(sections, env), "infra.alarms.metrics_emitted").status == "passed"
    # The real 5xx alarm watches the REST metric 5XXError, which an HTTP API never publishes (SPEC §6).
    sections["cloudwatch"]["metrics_listed"]["hedgehog-learn-local-httpapi-5xx"] = False
    finding = evaluate(StaticSnapshot(sections, env), "infra.alarms.metrics_emitted")
    assert finding.status == "failed"
    assert "httpapi-5xx watches AWS/ApiGateway 5xx" in finding.message
