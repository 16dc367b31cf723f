"""The infra and ops rules, one module per area; importing this package registers them all."""

from __future__ import annotations

from checks.aws.rules import apigw, cognito, crmsync, dynamodb, lambda_, logs_alarms, ops, target

__all__ = ["apigw", "cognito", "crmsync", "dynamodb", "lambda_", "logs_alarms", "ops", "target"]
