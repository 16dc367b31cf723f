"""A hand-built snapshot of a healthy CRM consumer (the sections its collectors write), and small mutators for the
infra.crmsync.* rule tests."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from checks.aws.collectors.lambda_ import summarise_consumer_environment

FN = "hedgehog-learn-local-crm-sync"
ARN = f"arn:aws:lambda:us-west-2:123456789012:function:{FN}"
DLQ = f"{FN}-dlq"
DLQ_ARN = f"arn:aws:sqs:us-west-2:123456789012:{DLQ}"
PARAMETER = "/hedgehog-learn/local/hubspot-token"
ROLES = ("users", "enrollments", "progress", "badges")
TOPIC = "arn:aws:sns:us-west-2:123456789012:hedgehog-learn-local-alarms"


def env() -> SimpleNamespace:
    crm = SimpleNamespace(enabled=True, function_name=None, dlq_name=None, token_parameter=None, sync_deadline_s=60)
    return SimpleNamespace(
        kind="local",
        function_name="hedgehog-learn-local-api",
        stack_name="hedgehog-learn-local",
        alarm_prefix="hedgehog-learn-local-",
        crm=crm,
    )


def mapping(role: str, **overrides: Any) -> dict[str, Any]:
    return {
        "UUID": f"uuid-{role}",
        "EventSourceArn": f"arn:aws:dynamodb:us-west-2:123456789012:table/hedgehog-learn-{role}-local/stream/x",
        "FunctionArn": f"{ARN}:live",
        "State": "Enabled",
        "BatchSize": 25,
        "MaximumBatchingWindowInSeconds": 2,
        "StartingPosition": "LATEST",
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "DestinationConfig": {"OnFailure": {"Destination": DLQ_ARN}},
        **overrides,
    }


def alarm(suffix: str, namespace: str, metric: str, dims: dict[str, str], stat: str, periods: int, threshold: float):
    return {
        "AlarmName": f"hedgehog-learn-local-{suffix}",
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Statistic": stat,
        "Period": 60,
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": periods,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
    }


def variables(**extra: str) -> dict[str, Any]:
    values = {"APP_STAGE": "local", "HUBSPOT_BASE_URL": "http://127.0.0.1:8403", "HUBSPOT_TOKEN_PARAMETER": PARAMETER}
    return summarise_consumer_environment({"Environment": {"Variables": values | extra}})


def healthy() -> dict[str, dict[str, Any]]:
    alarms = [
        alarm("crm-sync-errors", "AWS/Lambda", "Errors", {"FunctionName": FN}, "Sum", 1, 1),
        alarm("crm-sync-iterator-age", "AWS/Lambda", "IteratorAge", {"FunctionName": FN}, "Maximum", 5, 60000),
        alarm(
            "crm-sync-dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": DLQ}, "Maximum", 1, 1
        ),
    ]
    function = {
        "FunctionName": FN,
        "FunctionArn": ARN,
        "Runtime": "python3.12",
        "Handler": "hhl_backend.crm.handler.handler",
        "MemorySize": 256,
        "Timeout": 60,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "LoggingConfig": {"LogGroup": f"/aws/lambda/{FN}"},
        "Environment": variables(),
    }
    return {
        "lambda": {
            "crm": {
                "function_name": FN,
                "function": function,
                "aliases": [{"Name": "live", "AliasArn": f"{ARN}:live", "FunctionVersion": "2"}],
                "mappings": {role: [mapping(role)] for role in ROLES},
            },
            "errors": {},
        },
        "logs": {
            "crm_log_group_name": f"/aws/lambda/{FN}",
            "crm_group": {"logGroupName": f"/aws/lambda/{FN}", "retentionInDays": 30},
            "errors": {},
        },
        "cloudformation": {
            "template": {
                "source": "backend/template.yaml",
                "functions": [{"FunctionName": FN, "MemorySize": 256, "Timeout": 60}],
            },
            "errors": {},
        },
        "cloudwatch": {"alarms": {a["AlarmName"]: a for a in alarms}, "errors": {}},
        "sqs": {
            "dlq_name": DLQ,
            "destinations": [DLQ_ARN],
            "queues": {DLQ: {"QueueName": DLQ, "QueueArn": DLQ_ARN, "ApproximateNumberOfMessages": 0}},
            "errors": {},
        },
        "ssm": {
            "token_parameter": PARAMETER,
            "parameters": {PARAMETER: {"Name": PARAMETER, "Type": "SecureString"}},
            "errors": {},
        },
        "secretsmanager": {"secrets": {}, "errors": {}},
    }


Mutation = Callable[[dict[str, Any], SimpleNamespace], None]


def crm(s: dict[str, Any]) -> dict[str, Any]:
    return s["lambda"]["crm"]


def each_mapping(s: dict[str, Any], **changes: Any) -> None:
    for role in ROLES:
        crm(s)["mappings"][role][0].update(changes)


def cw_alarm(s: dict[str, Any], suffix: str) -> dict[str, Any]:
    return s["cloudwatch"]["alarms"][f"hedgehog-learn-local-{suffix}"]


def plant_token(s: dict[str, Any], **extra: str) -> None:
    crm(s)["function"]["Environment"] = variables(**extra)
