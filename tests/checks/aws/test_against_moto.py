"""Every rule against a provisioned sandbox stack: the healthy stack passes, each provisioning fault is caught."""

from __future__ import annotations

import json

import pytest

from checks.aws import CHECKS, evaluate
from tests.checks.aws.stack import CRM_TOKEN, StaticSnapshot, collect, deploy, env_for, ship_log_line

REAL_ONLY = {"infra.alarms.metrics_emitted"}  # scope real: the plugin skips it locally (moto has no metric data)
HEALTHY_WARNINGS = {"infra.alarms.definitions": "composite checked from template (moto gap)"}

FAULTS = {
    "provision.no_pitr": {"infra.dynamodb.pitr_enabled"},
    "provision.no_sse": {"infra.dynamodb.sse_enabled"},
    # rule-level: the consumer's mapping on that stream is missing too; in a run mappings `requires` streams
    "provision.no_stream": {"infra.dynamodb.streams", "infra.crmsync.mappings"},
    "provision.no_alarm_actions": {"security.ops.alarm_actions"},
    "provision.alarm_firing": {"infra.alarms.state"},
    "provision.retention_14": {"infra.logs.group"},
    "provision.default_memory": {"security.ops.explicit_memory_timeout"},  # memory: not infra.lambda.config's
    "provision.env_test_bypass": {"infra.lambda.env_vars"},
    "provision.no_dashboard": {"security.ops.dashboard"},
    # rule-level: both red; in a run rollback_ready `requires` alias_live, so it ends blocked (one root cause)
    "provision.no_alias": {"infra.lambda.alias_live", "infra.lambda.rollback_ready"},
    "provision.iam_scan_delete": {"security.iam.least_privilege"},
    "client.drop_callback_url": {"infra.cognito.client"},
    "provision.single_version": {"infra.lambda.rollback_ready"},
    "provision.crm_mapping_disabled": {"infra.crmsync.mappings"},
    "provision.crm_no_dlq": {"infra.crmsync.dlq"},
    "provision.crm_token_in_env": {"infra.crmsync.token_by_reference"},
    # rule-level too: the mappings rule only notes the missing alias (infra.crmsync.function's failure)
    "provision.crm_no_alias": {"infra.crmsync.function"},
    "provision.crm_dlq_alarm_wrong_metric": {"infra.crmsync.alarms"},
}


def outcomes(sections, env) -> dict[str, tuple[str, str]]:
    snapshot = StaticSnapshot(sections, env)
    return {
        check_id: (f.status, f.message)
        for check_id in sorted(CHECKS)
        if check_id not in REAL_ONLY
        for f in [evaluate(snapshot, check_id)]
    }


def test_healthy_stack_passes_every_check(healthy):
    env, sections, _ = healthy
    results = outcomes(sections, env)
    not_passed = {k: v for k, v in results.items() if v[0] != "passed"}
    assert not_passed == {k: ("warning", msg) for k, msg in HEALTHY_WARNINGS.items()}
    assert len(results) == 28  # + infra.lambda.rollback_ready, + the five infra.crmsync.*


def test_snapshots_are_written_once_per_service_and_hold_no_secret(healthy):
    _, _, out = healthy
    files = sorted(p.name for p in out.glob("*.json"))
    assert files == sorted(
        f"{s}.json"
        for s in (
            "sts",
            "cloudformation",
            "lambda",
            "iam",
            "dynamodb",
            "logs",
            "cloudwatch",
            "sns",
            "cognito",
            "apigatewayv2",
            "sqs",
            "ssm",
            "secretsmanager",
        )
    )
    text = "".join(p.read_text() for p in out.glob("*.json"))
    assert "x" * 44 not in text  # AuthCookieSecret, present in the function env and the stack parameters
    assert CRM_TOKEN not in text and "pat-" not in text  # the consumer's token: its parameter is only described
    lambda_section = json.loads((out / "lambda.json").read_text())
    assert "AUTH_COOKIE_SECRET" in lambda_section["function"]["Environment"]["names"]
    assert "Variables" not in json.dumps(lambda_section)
    pitr = json.loads((out / "dynamodb.json").read_text())["tables"]["progress"]["PointInTimeRecovery"]
    assert pitr["LatestRestorableDateTime"].endswith("Z")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_turns_exactly_its_checks_red(moto, fault):
    provisioned = deploy(moto, frozenset({fault}))
    env = env_for(provisioned, endpoint=moto.url)
    ship_log_line(moto.url, provisioned.log_group)
    results = outcomes(collect(moto, env), env)
    failed = {k for k, (status, _) in results.items() if status == "failed"}
    assert failed == FAULTS[fault], {k: results[k] for k in failed ^ FAULTS[fault]}


def test_no_recent_log_event_fails_with_a_clear_message(moto):
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url)
    status, message = outcomes(collect(moto, env), env)["infra.logs.group"]
    assert status == "failed"
    assert "no log event in /aws/lambda/hedgehog-learn-local-api in the last 10 min" in message


def test_unreachable_endpoint_fails_every_check_with_one_clear_message(healthy):
    env, _, _ = healthy
    from checks.aws.session import ReadOnlyAws
    from checks.aws.snapshot import InfraSnapshot
    from sandbox.ports import free_port

    url = f"http://127.0.0.1:{free_port()}"
    broken = env_for_endpoint(env, url)
    snapshot = InfraSnapshot(ReadOnlyAws(region="us-west-2", endpoint_url=url), broken)
    try:
        results = {c: evaluate(snapshot, c) for c in sorted(CHECKS)}
    finally:
        snapshot.close()
    assert {f.status for f in results.values()} == {"failed"}
    for finding in results.values():
        assert f"AWS endpoint unreachable: {url}" in finding.message
        assert "Traceback" not in finding.message


def env_for_endpoint(env, url):
    from types import SimpleNamespace

    return SimpleNamespace(**{**vars(env), "aws_endpoint_url": url})
