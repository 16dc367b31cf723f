"""One collector per AWS service, laid out the same way: `collect(ctx) -> <Service>Data` (checks/aws/schema.py;
JSON-safe after conversion).

Collectors describe only the env's named resources (never a full account listing), so their cost does not grow with
unrelated resources in the account.
"""

from __future__ import annotations

from checks.aws.collectors import (
    apigatewayv2,
    cloudformation,
    cloudwatch,
    cognito,
    dynamodb,
    iam,
    lambda_,
    logs,
    secretsmanager,
    sns,
    sqs,
    ssm,
    sts,
)
from checks.aws.snapshot import Collector

__all__ = ["COLLECTORS"]

COLLECTORS: dict[str, Collector] = {
    "sts": sts.collect,
    "cloudformation": cloudformation.collect,
    "lambda": lambda_.collect,
    "iam": iam.collect,
    "dynamodb": dynamodb.collect,
    "logs": logs.collect,
    "cloudwatch": cloudwatch.collect,
    "sns": sns.collect,
    "cognito": cognito.collect,
    "apigatewayv2": apigatewayv2.collect,
    # The CRM consumer's queue, token parameter and secret (empty sections while env crm.enabled is false).
    "sqs": sqs.collect,
    "ssm": ssm.collect,
    "secretsmanager": secretsmanager.collect,
}
