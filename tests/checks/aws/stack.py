"""The infra-check tests' reference stack: provisioned on a moto server (`deploy`), an env built from it (`env_for`),
collected by the harness (`collect`), and a hand-editable snapshot (`StaticSnapshot`). Fixtures: conftest.py."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3

from checks.aws.session import ReadOnlyAws
from checks.aws.snapshot import InfraSnapshot
from sandbox.aws.moto_server import MotoHandle
from sandbox.aws.provision import Provisioned, provision

REGION = "us-west-2"
TEMPLATE = Path(__file__).resolve().parents[3] / "backend" / "template.yaml"
SITE = "http://localhost:8400"
API = "http://localhost:8401"
# The consumer's HubSpot token, put as its SecureString parameter: it must never reach a snapshot.
CRM_TOKEN = "pat-na1-0a1b2c3d-test-token-never-in-a-snapshot"


def parameters() -> dict[str, str]:
    return {
        "SiteBaseUrl": SITE,
        "CorsOrigins": SITE,
        "CognitoDomainPrefix": "hedgehog-learn-local",
        "CallbackUrls": f"{API}/auth/callback",
        "LogoutUrls": f"{SITE}/learn,{SITE}/",
        "AlarmEmail": "",
        "AuthCookieSecret": "x" * 44,
        "CodeS3Bucket": "hedgehog-learn-local-artifacts",
        "CodeS3Key": "hhl_backend-test.zip",
    }


def env_for(p: Provisioned, *, endpoint: str, **overrides: Any) -> SimpleNamespace:
    """The typed env's attributes, as the sandbox would fill them."""
    values: dict[str, Any] = dict(
        name="local",
        kind="local",
        profile="reference",
        region=REGION,
        account_id=p.account_id,
        stack_name=p.stack_name,
        function_name=p.function_name,
        alias="live",
        log_group=p.log_group,
        tables=SimpleNamespace(**p.tables),
        alarm_prefix="hedgehog-learn-local-",
        dashboard=p.dashboard_name,
        sns_topic="hedgehog-learn-local-alarms",
        api_id=p.api_id,
        api_base_url=API,
        cognito=SimpleNamespace(
            user_pool_id=p.user_pool_id,
            client_id=p.client_id,
            domain="http://127.0.0.1:8402",  # the hosted-UI stand-in: not a Cognito host
            callback_url=f"{API}/auth/callback",
            logout_url=f"{SITE}/learn",
        ),
        cors_origins=[SITE],
        expected=SimpleNamespace(
            runtime="python3.12", memory_mb=512, timeout_s=10, handler="hhl_backend.lambda_handler.handler"
        ),
        aws_endpoint_url=endpoint,
        crm=SimpleNamespace(enabled=True, function_name=None, dlq_name=None, token_parameter=None, sync_deadline_s=60),
    )
    values.update(overrides)
    return SimpleNamespace(**values)


class StaticSnapshot:
    """A hand-editable snapshot: the same `get(service)` surface as InfraSnapshot, from plain dicts."""

    def __init__(self, sections: dict[str, dict[str, Any]], env: Any) -> None:
        self.sections = copy.deepcopy(sections)
        self.env = env

    def get(self, service: str) -> dict[str, Any]:
        return self.sections[service]


def ship_log_line(endpoint: str, group: str) -> None:
    """What the sandbox's log shipper does for one backend line (a raw client: the harness's own is read-only)."""
    logs = boto3.client(
        "logs", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="t", aws_secret_access_key="t"
    )
    stream = f"test-{time.time_ns()}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    event = {"timestamp": int(time.time() * 1000), "message": '{"event":"request","status":200}'}
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[event])


def deploy(moto: MotoHandle, faults: frozenset[str] = frozenset()) -> Provisioned:
    moto.reset()
    return provision(
        TEMPLATE,
        endpoint_url=moto.url,
        region=REGION,
        stage="local",
        parameters=parameters(),
        faults=faults,
        crm_token=CRM_TOKEN,
    )


def collect(moto: MotoHandle, env: Any, out_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    snapshot = InfraSnapshot(ReadOnlyAws(region=REGION, endpoint_url=moto.url), env, out_dir=out_dir)
    try:
        return snapshot.collect_all()
    finally:
        snapshot.close()
