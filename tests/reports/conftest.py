"""Realistic fixture runs for the reports tests: every check of the local reference set (real catalog ids over
several areas and statuses), evidence transcripts, a screenshot and AWS describe snapshots, written into a
temporary run directory. `make_run(missing=[...])` leaves reference checks out, as -k/-m deselection would."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checks.catalog import load_catalog
from reports.results import CheckResult, RunInfo

RUN_ID = "local-20260301T101500Z-a1b2c3"

# A healthy local run: every preflight passes, one medium warning, [real]-only checks skipped as not applicable.
# Every other check of the local reference set (crm is switched off) passes; these come first, in this order.
HEALTHY: dict[str, str] = {
    "api.target.gateway_fingerprint": "passed",
    "api.target.auth_me_fingerprint": "passed",
    "api.login.redirects_to_hosted_ui": "passed",
    "api.callback.success": "passed",
    "api.me.profile": "passed",
    "api.me.silent_refresh": "passed",
    "api.content_type_json": "passed",
    "e2e.target.site_identity": "passed",
    "e2e.target.hosted_ui_identity": "passed",
    "e2e.login.full_flow": "passed",
    "e2e.auth.nav_and_persistence": "warning",
    "infra.target.account_region": "passed",
    "infra.cfn.stack_status": "passed",
    "infra.lambda.config": "passed",
    "infra.lambda.env_vars": "passed",
    "infra.dynamodb.pitr_enabled": "passed",
    "infra.alarms.state": "passed",
    "infra.alarms.metrics_emitted": "skipped",  # [real]
    "security.login.open_redirect": "passed",
    "security.headers": "passed",
    "security.ops.dashboard": "passed",
    "load.api.read_latency": "passed",
}

ENVIRONMENT: dict[str, Any] = {
    "name": "local",
    "kind": "local",
    "profile": "reference",
    "region": "us-west-2",
    "account_id": "123456789012",
    "site_base_url": "http://localhost:8400",
    "api_base_url": "http://localhost:8401",
    "stack_name": "hedgehog-learn-local",
    "function_name": "hedgehog-learn-local-api",
    "alias": "live",
    "log_group": "/aws/lambda/hedgehog-learn-local-api",
    "tables": {
        "users": "hedgehog-learn-users-local",
        "enrollments": "hedgehog-learn-enrollments-local",
        "progress": "hedgehog-learn-progress-local",
        "badges": "hedgehog-learn-badges-local",
    },
    "alarm_prefix": "hedgehog-learn-local",
    "dashboard": "hedgehog-learn-local",
    "sns_topic": "hedgehog-learn-local-alarms",
    "cognito": {"user_pool_id": "us-west-2_abc", "client_id": "client123", "domain": "http://127.0.0.1:8402"},
    "allow_writes": True,
    "required_areas": ["api", "e2e", "infra", "security"],
    "crm": {"enabled": False},
    "waivers": [],
}

# AWS snapshots in the shape checks/aws/collectors write (collector data beside `service` and `errors`).
SNAPSHOTS: dict[str, dict[str, Any]] = {
    "lambda": {
        "function_name": "hedgehog-learn-local-api",
        "function": {
            "FunctionName": "hedgehog-learn-local-api",
            "Runtime": "python3.12",
            "Handler": "hhl_backend.lambda_handler.handler",
            "MemorySize": 512,
            "Timeout": 10,
            "LastModified": "2026-03-01T10:00:00.000Z",
            "Environment": {"names": ["APP_STAGE", "AUTH_COOKIE_SECRET", "DYNAMODB_PROGRESS_TABLE"], "empty": []},
        },
        "aliases": [{"Name": "live", "FunctionVersion": "3"}],
        "versions": ["$LATEST", "1", "2", "3"],
        "errors": {},
    },
    "dynamodb": {
        "names": {"progress": "hedgehog-learn-progress-local", "badges": "hedgehog-learn-badges-local"},
        "tables": {
            "progress": {
                "TableName": "hedgehog-learn-progress-local",
                "TableStatus": "ACTIVE",
                "KeySchema": [
                    {"AttributeName": "PK", "KeyType": "HASH"},
                    {"AttributeName": "SK", "KeyType": "RANGE"},
                ],
                "GlobalSecondaryIndexes": [],
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                "SSEDescription": {"Status": "ENABLED"},
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "ItemCount": 42,
                "PointInTimeRecovery": {
                    "PointInTimeRecoveryStatus": "ENABLED",
                    "LatestRestorableDateTime": "2026-03-01T10:19:00.000Z",
                },
            },
            "badges": None,  # describe failed: recorded in errors
        },
        "errors": {"badges:describe_table": "ResourceNotFoundException: table not found"},
    },
    "cloudformation": {
        "stack_name": "hedgehog-learn-local",
        "stack": {
            "StackName": "hedgehog-learn-local",
            "StackStatus": "CREATE_COMPLETE",
            "CreationTime": "2026-03-01T09:59:00.000Z",
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
        },
        "errors": {},
    },
    "cloudwatch": {
        "alarms": {
            "hedgehog-learn-local-lambda-errors": {
                "AlarmName": "hedgehog-learn-local-lambda-errors",
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 5.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "StateValue": "OK",
                "AlarmActions": ["arn:aws:sns:us-west-2:123456789012:hedgehog-learn-local-alarms"],
            }
        },
        "composite_alarms": {},
        "dashboard": {"DashboardName": "hedgehog-learn-local", "body": {}},
        "errors": {},
    },
    "sns": {
        "topic": {"TopicArn": "arn:aws:sns:us-west-2:123456789012:hedgehog-learn-local-alarms"},
        "subscriptions": [{"Protocol": "email", "confirmed": False}],
        "errors": {},
    },
    "logs": {
        "group": {"logGroupName": "/aws/lambda/hedgehog-learn-local-api", "retentionInDays": 30},
        "recent_event_ms": 1772360100000,
        "last_stream_event_ms": None,
        "errors": {},
    },
}


@dataclass
class FixtureRun:
    """A run directory with evidence, plus the inputs `finish_run` takes."""

    run_dir: Path
    run: RunInfo
    checks: list[CheckResult]
    environment: dict[str, Any] = field(default_factory=dict)


def reference_ids(environment: dict[str, Any]) -> list[str]:
    """The catalog ids a complete run on `environment` records (the policy's reference set, full scope)."""
    from reports.policy import build_facts, reference_set

    return list(reference_set(build_facts([], environment, load_catalog())))


def make_check(check_id: str, status: str, run_dir: Path) -> CheckResult:
    entry = load_catalog()[check_id]
    evidence = []
    if status != "skipped":
        transcript = run_dir / "evidence" / check_id / "01-GET-auth-me.txt"
        transcript.parent.mkdir(parents=True, exist_ok=True)
        transcript.write_text(
            f"GET /auth/me HTTP/1.1\nHost: localhost\n\nHTTP/1.1 401\n{check_id} body\n", encoding="utf-8"
        )
        evidence.append(transcript.relative_to(run_dir).as_posix())
    return CheckResult(
        id=check_id,
        area=entry.area,
        title=entry.title,
        severity=entry.severity,
        writes="none",
        status=status,
        started_at="2026-03-01T10:15:01.000Z",
        duration_ms=120,
        expected={"status": 401} if status != "passed" else None,
        actual={"status": 500} if status != "passed" else None,
        message=f"{check_id} {status}" if status != "passed" else "",
        evidence=evidence,
        check_id=check_id,
    )


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., FixtureRun]:
    """`make_run(overrides={id: status}, env={...}, snapshots=True)`: a fresh fixture run per call."""
    counter = iter(range(1000))

    def build(
        overrides: dict[str, str] | None = None,
        env: dict[str, Any] | None = None,
        snapshots: bool = True,
        missing: tuple[str, ...] | list[str] = (),
    ) -> FixtureRun:
        run_dir = tmp_path / f"run{next(counter)}"
        run_dir.mkdir()
        environment = json.loads(json.dumps({**ENVIRONMENT, **(env or {})}))
        statuses = {**HEALTHY, **dict.fromkeys(reference_ids(environment), "passed"), **HEALTHY, **(overrides or {})}
        checks = [make_check(cid, status, run_dir) for cid, status in statuses.items() if cid not in missing]
        shot = run_dir / "evidence" / "e2e.login.full_flow" / "01-login-page.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        shot.write_bytes(b"\x89PNG\r\n\x1a\nfake")
        if snapshots:
            (run_dir / "evidence" / "_aws").mkdir(parents=True)
            for service, data in SNAPSHOTS.items():
                (run_dir / "evidence" / "_aws" / f"{service}.json").write_text(json.dumps(data), encoding="utf-8")
        run = RunInfo(
            id=RUN_ID,
            env="local",
            profile="reference",
            started_at="2026-03-01T10:15:00.000Z",
            finished_at="2026-03-01T10:20:00.000Z",
            harness_version="0.1.0",
            backend_version="0.1.0",
            template_sha256="ab" * 32,
            lambda_version="3",
            lambda_alias="live",
            code_sha256="q0xTn3XL1wz2m0N9fUeK1eX1nq7Hq0rGgQ1pL3v4y5A=",
            identity_notes=["the template hash is of the deployed stack"],
            targets={"site": "http://localhost:8400", "api": "http://localhost:8401", "region": "us-west-2"},
        )
        return FixtureRun(run_dir, run, checks, environment)

    return build


@pytest.fixture(autouse=True)
def _no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets GITHUB_STEP_SUMMARY; tests must never append to the real job summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
