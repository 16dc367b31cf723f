"""backend/template.yaml against SPEC §6 and §4.1: cfn-lint clean, and every declared value as the contract states it.

The sandbox parity test proves that what is provisioned equals the template; this module proves that the template
equals the SPEC, so together they tie the sandbox to the contract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from sandbox.aws.template import Resolver, bind_parameters, load_template

TEMPLATE = Path(__file__).resolve().parents[2] / "backend" / "template.yaml"
T = load_template(TEMPLATE)
R = T["Resources"]
TABLES = {
    "UsersTable": "users",
    "EnrollmentsTable": "enrollments",
    "ProgressTable": "progress",
    "BadgesTable": "badges",
}
ROUTE_KEYS = {
    "GET /auth/login",
    "GET /auth/callback",
    "GET /auth/me",
    "GET /auth/logout",
    "POST /auth/logout",
    "GET /enrollments/list",
    "GET /progress/read",
    "GET /progress/aggregate",
    "POST /events/track",
    "POST /quiz/grade",
}
# SPEC §6 alarm table: metric, namespace, dimension names, stat, period, evaluation periods, threshold.
ALARMS = {
    "LambdaErrorsAlarm": ("lambda-errors", "AWS/Lambda", "Errors", ["FunctionName"], "Sum", 60, 1, 5),
    "LambdaThrottlesAlarm": ("lambda-throttles", "AWS/Lambda", "Throttles", ["FunctionName"], "Sum", 60, 5, 1),
    "HttpApi5xxAlarm": ("httpapi-5xx", "AWS/ApiGateway", "5xx", ["ApiId", "Stage"], "Sum", 60, 1, 5),
    "HttpApiLatencyAlarm": ("httpapi-latency", "AWS/ApiGateway", "Latency", ["ApiId", "Stage"], "Average", 60, 5, 1000),
}


def props(logical_id: str) -> dict[str, Any]:
    return R[logical_id]["Properties"]


def sub(value: Any) -> str:
    """The text of a !Sub (what the tests compare names against)."""
    assert isinstance(value, dict) and "Fn::Sub" in value, value
    return value["Fn::Sub"]


def test_cfn_lint_is_clean() -> None:
    matches = lint_file(TEMPLATE)  # every rule, errors and warnings alike (what `cfn-lint template.yaml` reports)
    assert [str(match) for match in matches] == []


def test_plain_cloudformation_without_sam() -> None:
    assert "Transform" not in T
    assert not any(resource["Type"].startswith("AWS::Serverless") for resource in R.values())


def test_parameters() -> None:
    parameters = T["Parameters"]
    assert set(parameters) == {
        "Stage",
        "SiteBaseUrl",
        "CorsOrigins",
        "CognitoDomainPrefix",
        "CallbackUrls",
        "LogoutUrls",
        "AlarmEmail",
        "AuthCookieSecret",
        "CodeS3Bucket",
        "CodeS3Key",
        "HubSpotBaseUrl",
        "HubSpotTokenParameterName",
    }
    assert parameters["AuthCookieSecret"]["NoEcho"] is True
    assert parameters["HubSpotBaseUrl"]["Default"] == "https://api.hubapi.com"
    assert parameters["HubSpotTokenParameterName"]["Default"] == ""  # = /hedgehog-learn/<Stage>/hubspot-token
    assert parameters["AlarmEmail"]["Default"] == ""
    for name in ("CorsOrigins", "CallbackUrls", "LogoutUrls"):
        assert parameters[name]["Type"] == "CommaDelimitedList"


@pytest.mark.parametrize("logical_id", sorted(TABLES))
def test_tables(logical_id: str) -> None:
    table, p = R[logical_id], props(logical_id)
    assert sub(p["TableName"]) == f"hedgehog-learn-{TABLES[logical_id]}-${{Stage}}"
    assert p["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
    gsis = p.get("GlobalSecondaryIndexes", [])
    if logical_id in {"UsersTable", "EnrollmentsTable"}:
        assert gsis == [
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    else:
        assert gsis == []
    assert all(a["AttributeType"] == "S" for a in p["AttributeDefinitions"])
    assert p["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 35}
    assert p["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["DeletionProtectionEnabled"] is True
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert {t["Key"]: t["Value"] for t in p["Tags"]} == {
        "Project": "hedgehog-learn",
        "Environment": {"Ref": "Stage"},
        "ManagedBy": "cloudformation",
        "Component": "external-sso",
    }
    assert "TimeToLiveSpecification" not in p


def test_cognito() -> None:
    pool = props("UserPool")
    assert sub(pool["UserPoolName"]) == "hedgehog-learn-${Stage}"
    assert pool["UsernameAttributes"] == ["email"] and pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
    }
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]
    assert pool["DeletionProtection"] == {"Fn::If": ["IsLocal", "INACTIVE", "ACTIVE"]}
    client = props("UserPoolClient")
    assert client["ClientName"] == "hedgehog-learn-web" and client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True and client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert (client["CallbackURLs"], client["LogoutURLs"]) == ({"Ref": "CallbackUrls"}, {"Ref": "LogoutUrls"})
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED" and client["EnableTokenRevocation"] is True
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) == (60, 60, 30)
    assert client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    domain = props("UserPoolDomain")
    assert domain["Domain"] == {"Ref": "CognitoDomainPrefix"} and domain["ManagedLoginVersion"] == 1


def test_function_role_least_privilege() -> None:
    statements = [s for policy in props("ApiFunctionRole")["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    actions = {action for s in statements for action in s["Action"]}
    assert {a for a in actions if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
    }
    assert {a for a in actions if a.startswith("logs:")} == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert not any("*" in action for action in actions)
    logs_statement = next(s for s in statements if "logs:PutLogEvents" in s["Action"])
    assert logs_statement["Resource"] == {"Fn::GetAtt": ["ApiLogGroup", "Arn"]}
    ddb_resources = next(s for s in statements if "dynamodb:Query" in s["Action"])["Resource"]
    for table in TABLES:
        assert {"Fn::GetAtt": [table, "Arn"]} in ddb_resources
        assert {"Fn::Sub": f"${{{table}.Arn}}/index/*"} in ddb_resources


def test_function_alias_and_log_group() -> None:
    fn = props("ApiFunction")
    assert sub(fn["FunctionName"]) == "hedgehog-learn-${Stage}-api"
    assert (fn["Runtime"], fn["Architectures"], fn["Handler"]) == (
        "python3.12",
        ["arm64"],
        "hhl_backend.lambda_handler.handler",
    )
    assert (fn["MemorySize"], fn["Timeout"]) == (512, 10)
    assert fn["Code"] == {"S3Bucket": {"Ref": "CodeS3Bucket"}, "S3Key": {"Ref": "CodeS3Key"}}
    assert fn["LoggingConfig"] == {"LogGroup": {"Ref": "ApiLogGroup"}}
    env = fn["Environment"]["Variables"]
    required = {"APP_STAGE", "SITE_BASE_URL", "AUTH_COOKIE_SECRET", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID"}
    required |= {"COGNITO_DOMAIN", "COGNITO_REDIRECT_URI", "COGNITO_ISSUER"}
    assert required <= set(env) and "ENABLE_TEST_BYPASS" not in env
    for table, name in TABLES.items():
        assert env[f"DYNAMODB_{name.upper()}_TABLE"] == {"Ref": table}
    assert props("ApiFunctionAlias") == {
        "Name": "live",
        "FunctionName": {"Ref": "ApiFunction"},
        "FunctionVersion": {"Fn::GetAtt": ["ApiFunctionVersion", "Version"]},
    }
    assert props("ApiFunctionVersion")["FunctionName"] == {"Ref": "ApiFunction"}
    group = props("ApiLogGroup")
    assert (sub(group["LogGroupName"]), group["RetentionInDays"]) == ("/aws/lambda/hedgehog-learn-${Stage}-api", 30)


def test_http_api() -> None:
    api = props("HttpApi")
    assert sub(api["Name"]) == "hedgehog-learn-${Stage}" and api["ProtocolType"] == "HTTP"
    assert api["CorsConfiguration"] == {
        "AllowOrigins": {"Ref": "CorsOrigins"},
        "AllowHeaders": ["content-type", "authorization", "origin"],
        "AllowMethods": ["GET", "POST", "OPTIONS"],
        "AllowCredentials": True,
        "MaxAge": 600,
    }
    integration = props("ApiIntegration")
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"] == {"Ref": "ApiFunctionAlias"} and integration["TimeoutInMillis"] == 12000
    routes = {lid: r["Properties"] for lid, r in R.items() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert all(lid.startswith("Route") for lid in routes)
    assert sorted(r["RouteKey"] for r in routes.values()) == sorted(ROUTE_KEYS)
    assert {sub(r["Target"]) for r in routes.values()} == {"integrations/${ApiIntegration}"}
    stage = props("ApiStage")
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}
    permission = props("ApiInvokePermission")
    assert (permission["Action"], permission["Principal"]) == ("lambda:InvokeFunction", "apigateway.amazonaws.com")
    assert permission["FunctionName"] == {"Ref": "ApiFunctionAlias"}


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_metric_alarms(logical_id: str) -> None:
    suffix, namespace, metric, dimensions, stat, period, evaluations, threshold = ALARMS[logical_id]
    p = props(logical_id)
    assert sub(p["AlarmName"]) == f"hedgehog-learn-${{Stage}}-{suffix}"
    assert (p["Namespace"], p["MetricName"], p["Statistic"]) == (namespace, metric, stat)
    assert [d["Name"] for d in p["Dimensions"]] == dimensions
    assert (p["Period"], p["EvaluationPeriods"], p["DatapointsToAlarm"]) == (period, evaluations, evaluations)
    assert p["Threshold"] == threshold
    assert (p["ComparisonOperator"], p["TreatMissingData"]) == ("GreaterThanOrEqualToThreshold", "notBreaching")
    assert p["ActionsEnabled"] is True
    assert p["AlarmActions"] == p["OKActions"] == [{"Ref": "AlarmTopic"}]
    if namespace == "AWS/ApiGateway":
        assert p["Dimensions"][1]["Value"] == "$default"


def test_composite_alarm_topic_and_subscription() -> None:
    composite = props("ApiRedAlarm")
    assert R["ApiRedAlarm"]["Type"] == "AWS::CloudWatch::CompositeAlarm"
    assert sub(composite["AlarmName"]) == "hedgehog-learn-${Stage}-api-red"
    rule = " ".join(sub(composite["AlarmRule"]).split())
    assert rule == " OR ".join(f'ALARM("${{{lid}}}")' for lid in ALARMS)
    assert composite["AlarmActions"] == composite["OKActions"] == [{"Ref": "AlarmTopic"}]
    assert sub(props("AlarmTopic")["TopicName"]) == "hedgehog-learn-${Stage}-alarms"
    assert R["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"


def test_dashboard_widgets() -> None:
    resolver = Resolver(
        bind_parameters(T, _valid_parameters()),
        {"AWS::Region": "us-west-2", "AWS::AccountId": "1", "AWS::Partition": "aws"},
        refs={lid: f"<{lid}>" for lid in R},
        attrs={lid: {"Arn": f"arn:{lid}", "QueueName": f"<{lid}.QueueName>"} for lid in R},
    )
    body = json.loads(resolver.resolve(props("Dashboard")["DashboardBody"]))
    assert sub(props("Dashboard")["DashboardName"]) == "hedgehog-learn-${Stage}"
    metrics = [tuple(m[:2]) + tuple(m[2:6]) for w in body["widgets"] for m in w["properties"].get("metrics", [])]
    live = ("FunctionName", "<ApiFunction>", "Resource", "<ApiFunction>:live")
    for name in ("Invocations", "Errors", "Throttles", "Duration"):
        assert ("AWS/Lambda", name, *live) in metrics
    stats = {m[-1]["stat"] for w in body["widgets"] for m in w["properties"].get("metrics", []) if m[1] == "Duration"}
    assert stats == {"p50", "p95", "p99"}
    for name in ("Count", "4xx", "5xx", "Latency"):
        assert ("AWS/ApiGateway", name, "ApiId", "<HttpApi>", "Stage", "$default") in metrics
    for table in TABLES:
        for name in ("ThrottledRequests", "SystemErrors"):
            assert ("AWS/DynamoDB", name, "TableName", f"<{table}>") in metrics
    alarm_widgets = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert alarm_widgets[0]["properties"]["alarms"] == [f"arn:{lid}" for lid in [*ALARMS, "ApiRedAlarm"]]
    crm_live = ("FunctionName", "<CrmSyncFunction>", "Resource", "<CrmSyncFunction>:live")
    for name in ("Invocations", "Errors", "Throttles", "IteratorAge"):
        assert ("AWS/Lambda", name, *crm_live) in metrics
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "<CrmSyncDlq.QueueName>") in [
        m[:4] for m in metrics
    ]
    assert alarm_widgets[1]["properties"]["alarms"] == [f"arn:{lid}" for lid in CRM_ALARMS]


def _valid_parameters() -> dict[str, str]:
    return {
        "Stage": "dev",
        "CognitoDomainPrefix": "hedgehog-learn",
        "CallbackUrls": "https://api.example/auth/callback",
        "LogoutUrls": "https://example/learn",
        "AuthCookieSecret": "A" * 44,
        "CodeS3Bucket": "b",
        "CodeS3Key": "k",
        "SiteBaseUrl": "https://example",
        "CorsOrigins": "https://example",
    }


def test_logical_ids_the_gateway_emulation_reads() -> None:
    assert R["HttpApi"]["Type"] == "AWS::ApiGatewayV2::Api"
    assert R["ApiStage"]["Type"] == "AWS::ApiGatewayV2::Stage"
    expected = {"UsersTable", "EnrollmentsTable", "ProgressTable", "BadgesTable", "UserPool", "UserPoolClient"}
    expected |= {"UserPoolDomain", "ApiFunctionRole", "ApiFunction", "ApiFunctionVersion", "ApiFunctionAlias"}
    expected |= {"ApiLogGroup", "HttpApi", "ApiIntegration", "ApiStage", "ApiInvokePermission", "AlarmTopic"}
    expected |= {"AlarmEmailSubscription", "Dashboard"}
    assert expected <= set(R)


# ---------------------------------------------------------------- CRM sync consumer (SPEC §6 second wave, §7)
CRM_ALARMS = {
    "CrmSyncErrorsAlarm": ("crm-sync-errors", "AWS/Lambda", "Errors", "FunctionName", "Sum", 60, 1, 1),
    "CrmSyncIteratorAgeAlarm": (
        "crm-sync-iterator-age",
        "AWS/Lambda",
        "IteratorAge",
        "FunctionName",
        "Maximum",
        60,
        5,
        60000,
    ),
    "CrmSyncDlqDepthAlarm": (
        "crm-sync-dlq-depth",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        "Maximum",
        60,
        1,
        1,
    ),
}
CRM_MAPPINGS = {f"CrmSync{table.removesuffix('Table')}Mapping": table for table in TABLES}
TOKEN_PARAMETER = {
    "Fn::If": [
        "HasTokenParameterName",
        {"Ref": "HubSpotTokenParameterName"},
        {"Fn::Sub": "/hedgehog-learn/${Stage}/hubspot-token"},
    ]
}


def _resolved(logical_id: str, **parameters: str) -> Any:
    resolver = Resolver(
        bind_parameters(T, _valid_parameters() | parameters),
        {"AWS::Region": "us-west-2", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"},
        T["Conditions"],
        refs={lid: f"<{lid}>" for lid in R},
        attrs={lid: {"Arn": f"arn:{lid}", "StreamArn": f"stream:{lid}", "QueueName": "q"} for lid in R},
    )
    return resolver.resolve(props(logical_id))


def test_crm_function_config_and_token_by_reference() -> None:
    fn = props("CrmSyncFunction")
    assert sub(fn["FunctionName"]) == "hedgehog-learn-${Stage}-crm-sync"
    assert (fn["Runtime"], fn["Architectures"], fn["Handler"]) == (
        "python3.12",
        ["arm64"],
        "hhl_backend.crm.handler.handler",
    )
    assert (fn["MemorySize"], fn["Timeout"]) == (256, 60)
    assert fn["Role"] == {"Fn::GetAtt": ["CrmSyncFunctionRole", "Arn"]}
    assert fn["Code"] == props("ApiFunction")["Code"]  # the same package
    assert fn["LoggingConfig"] == {"LogGroup": {"Ref": "CrmSyncLogGroup"}}
    env = fn["Environment"]["Variables"]
    assert set(env) == {
        "APP_STAGE",
        "DYNAMODB_USERS_TABLE",
        "DYNAMODB_ENROLLMENTS_TABLE",
        "DYNAMODB_PROGRESS_TABLE",
        "DYNAMODB_BADGES_TABLE",
        "HUBSPOT_BASE_URL",
        "HUBSPOT_TOKEN_PARAMETER",
        "LOG_LEVEL",
    }
    for table, name in TABLES.items():
        assert env[f"DYNAMODB_{name.upper()}_TABLE"] == {"Ref": table}
    assert env["HUBSPOT_BASE_URL"] == {"Ref": "HubSpotBaseUrl"}
    assert env["HUBSPOT_TOKEN_PARAMETER"] == TOKEN_PARAMETER  # a name, never the token itself
    assert not any("TOKEN" in name and name != "HUBSPOT_TOKEN_PARAMETER" for name in env)
    variables = _resolved("CrmSyncFunction")["Environment"]["Variables"]
    assert variables["HUBSPOT_TOKEN_PARAMETER"] == "/hedgehog-learn/dev/hubspot-token"
    custom = _resolved("CrmSyncFunction", HubSpotTokenParameterName="/ops/hubspot")["Environment"]["Variables"]
    assert custom["HUBSPOT_TOKEN_PARAMETER"] == "/ops/hubspot"
    group = props("CrmSyncLogGroup")
    assert (sub(group["LogGroupName"]), group["RetentionInDays"]) == (
        "/aws/lambda/hedgehog-learn-${Stage}-crm-sync",
        30,
    )
    assert props("CrmSyncFunctionVersion") == {"FunctionName": {"Ref": "CrmSyncFunction"}}
    assert props("CrmSyncFunctionAlias") == {
        "Name": "live",
        "FunctionName": {"Ref": "CrmSyncFunction"},
        "FunctionVersion": {"Fn::GetAtt": ["CrmSyncFunctionVersion", "Version"]},
    }


def _statements(role: str) -> dict[str, list[dict[str, Any]]]:
    return {policy["PolicyName"]: policy["PolicyDocument"]["Statement"] for policy in props(role)["Policies"]}


def test_crm_role_least_privilege() -> None:
    statements = _statements("CrmSyncFunctionRole")
    everything = [s for group in statements.values() for s in group]
    assert all(s["Effect"] == "Allow" for s in everything)
    actions = [a for s in everything for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not any("*" in action for action in actions)
    assert statements["logs"] == [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": ["CrmSyncLogGroup", "Arn"]},
        }
    ]
    reads, writes, streams = statements["dynamodb"]
    assert reads["Action"] == ["dynamodb:GetItem", "dynamodb:Query"]
    assert reads["Resource"] == [{"Fn::GetAtt": [table, "Arn"]} for table in TABLES]
    assert (writes["Action"], writes["Resource"]) == ("dynamodb:UpdateItem", {"Fn::GetAtt": ["UsersTable", "Arn"]})
    assert sorted(streams["Action"]) == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ]
    assert streams["Resource"] == [{"Fn::GetAtt": [table, "StreamArn"]} for table in TABLES]
    assert statements["dlq"] == [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["CrmSyncDlq", "Arn"]}}
    ]
    ssm, kms = _resolved("CrmSyncFunctionRole")["Policies"][3]["PolicyDocument"]["Statement"]
    assert (ssm["Action"], ssm["Resource"]) == (
        "ssm:GetParameter",
        "arn:aws:ssm:us-west-2:123456789012:parameter/hedgehog-learn/dev/hubspot-token",
    )
    assert kms["Action"] == "kms:Decrypt"
    assert kms["Condition"] == {
        "StringEquals": {"kms:ViaService": "ssm.us-west-2.amazonaws.com"},
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/aws/ssm"},
    }
    assert set(actions) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "sqs:SendMessage",
        "ssm:GetParameter",
        "kms:Decrypt",
    }


def test_crm_dlq() -> None:
    queue = props("CrmSyncDlq")
    assert R["CrmSyncDlq"]["Type"] == "AWS::SQS::Queue"
    assert sub(queue["QueueName"]) == "hedgehog-learn-${Stage}-crm-sync-dlq"
    assert (queue["MessageRetentionPeriod"], queue["SqsManagedSseEnabled"]) == (14 * 24 * 3600, True)


@pytest.mark.parametrize("logical_id", sorted(CRM_MAPPINGS))
def test_crm_event_source_mappings(logical_id: str) -> None:
    assert R[logical_id]["Type"] == "AWS::Lambda::EventSourceMapping"
    assert props(logical_id) == {
        "FunctionName": {"Ref": "CrmSyncFunctionAlias"},
        "EventSourceArn": {"Fn::GetAtt": [CRM_MAPPINGS[logical_id], "StreamArn"]},
        "Enabled": True,
        "StartingPosition": "LATEST",
        "BatchSize": 25,
        "MaximumBatchingWindowInSeconds": 2,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["CrmSyncDlq", "Arn"]}}},
    }
    mappings = [lid for lid, r in R.items() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert sorted(mappings) == sorted(CRM_MAPPINGS)


@pytest.mark.parametrize("logical_id", sorted(CRM_ALARMS))
def test_crm_alarms(logical_id: str) -> None:
    suffix, namespace, metric, dimension, stat, period, evaluations, threshold = CRM_ALARMS[logical_id]
    p = props(logical_id)
    assert sub(p["AlarmName"]) == f"hedgehog-learn-${{Stage}}-{suffix}"
    assert (p["Namespace"], p["MetricName"], p["Statistic"]) == (namespace, metric, stat)
    value = {"Ref": "CrmSyncFunction"} if dimension == "FunctionName" else {"Fn::GetAtt": ["CrmSyncDlq", "QueueName"]}
    assert p["Dimensions"] == [{"Name": dimension, "Value": value}]
    assert (p["Period"], p["EvaluationPeriods"], p["DatapointsToAlarm"]) == (period, evaluations, evaluations)
    assert p["Threshold"] == threshold
    assert (p["ComparisonOperator"], p["TreatMissingData"]) == ("GreaterThanOrEqualToThreshold", "notBreaching")
    assert p["ActionsEnabled"] is True
    assert p["AlarmActions"] == p["OKActions"] == [{"Ref": "AlarmTopic"}]
    # The API's composite stays about the API: a HubSpot outage must not turn the API's red alarm on.
    assert f"${{{logical_id}}}" not in sub(props("ApiRedAlarm")["AlarmRule"])
