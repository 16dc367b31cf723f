"""What SPEC §3.1, §4.1 and §6 require, as data the rules compare against."""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED_ENV_VARS = (
    "APP_STAGE",
    "SITE_BASE_URL",
    "AUTH_COOKIE_SECRET",
    "COGNITO_USER_POOL_ID",
    "COGNITO_CLIENT_ID",
    "COGNITO_DOMAIN",
    "COGNITO_REDIRECT_URI",
    "COGNITO_ISSUER",
    "DYNAMODB_USERS_TABLE",
    "DYNAMODB_ENROLLMENTS_TABLE",
    "DYNAMODB_PROGRESS_TABLE",
    "DYNAMODB_BADGES_TABLE",
)

ROUTE_KEYS = frozenset(
    {
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
)

KEY_SCHEMA = [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
GSI1_KEY_SCHEMA = [{"AttributeName": "GSI1PK", "KeyType": "HASH"}, {"AttributeName": "GSI1SK", "KeyType": "RANGE"}]
TABLES_WITH_GSI1 = ("users", "enrollments")
STATIC_TAGS = {"Project": "hedgehog-learn", "ManagedBy": "cloudformation", "Component": "external-sso"}


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    namespace: str
    metric: str
    dimensions: tuple[str, ...]
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    operator: str = "GreaterThanOrEqualToThreshold"
    missing_data: str = "notBreaching"


ALARMS = (
    AlarmSpec("lambda-errors", "AWS/Lambda", "Errors", ("FunctionName",), "Sum", 60, 1, 5),
    AlarmSpec("lambda-throttles", "AWS/Lambda", "Throttles", ("FunctionName",), "Sum", 60, 5, 1),
    AlarmSpec("httpapi-5xx", "AWS/ApiGateway", "5xx", ("ApiId", "Stage"), "Sum", 60, 1, 5),
    AlarmSpec("httpapi-latency", "AWS/ApiGateway", "Latency", ("ApiId", "Stage"), "Average", 60, 5, 1000),
)
COMPOSITE_SUFFIX = "api-red"
