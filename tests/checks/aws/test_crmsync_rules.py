"""The infra.crmsync.* rules on a hand-built snapshot of a healthy consumer: each case plants one defect and must
give the stated outcome (the mirrored rule tests; test_against_moto.py and test_crmsync_moto.py run them on a
provisioned stack)."""

from __future__ import annotations

import copy

import pytest

from checks.aws import evaluate
from checks.aws.collectors.lambda_ import summarise_consumer_environment
from tests.checks.aws.crmsync_snapshot import (
    ARN,
    DLQ,
    FN,
    PARAMETER,
    Mutation,
    crm,
    cw_alarm,
    each_mapping,
    env,
    healthy,
    mapping,
    plant_token,
    variables,
)
from tests.checks.aws.stack import StaticSnapshot

CASES: list[tuple[str, str, Mutation, str, str]] = [
    # (check, case, mutation, expected status, fragment of the message)
    (
        "infra.crmsync.function",
        "missing",
        lambda s, e: (
            crm(s).update(function=None),
            s["lambda"]["errors"].update({"crm:function": "GetFunctionConfiguration: ResourceNotFoundException: nope"}),
        ),
        "failed",
        "ResourceNotFoundException",
    ),
    (
        "infra.crmsync.function",
        "node runtime",
        lambda s, e: crm(s)["function"].update(Runtime="nodejs20.x"),
        "failed",
        "Runtime",
    ),
    (
        "infra.crmsync.function",
        "default sizing live",
        lambda s, e: crm(s)["function"].update(MemorySize=1024, Timeout=6),
        "warning",
        "MemorySize: expected 256, live 1024",
    ),
    (
        "infra.crmsync.function",
        "sizing undeclared",
        lambda s, e: s["cloudformation"]["template"]["functions"][0].update(MemorySize=None),
        "warning",
        "MemorySize not declared",
    ),
    ("infra.crmsync.function", "no alias", lambda s, e: crm(s).update(aliases=[]), "failed", "has no alias 'live'"),
    (
        "infra.crmsync.function",
        "alias on $LATEST",
        lambda s, e: crm(s)["aliases"][0].update(FunctionVersion="$LATEST"),
        "failed",
        "not a published version",
    ),
    (
        "infra.crmsync.function",
        "retention 14",
        lambda s, e: s["logs"]["crm_group"].update(retentionInDays=14),
        "warning",
        "retentionInDays: expected 30, got 14",
    ),
    (
        "infra.crmsync.function",
        "no log group",
        lambda s, e: (
            s["logs"].update(crm_group=None),
            s["logs"]["errors"].update({"crm:group": "log group /aws/lambda/x not found"}),
        ),
        "warning",
        "not found",
    ),
    (
        "infra.crmsync.mappings",
        "disabled",
        lambda s, e: each_mapping(s, State="Disabled"),
        "failed",
        "got states ['Disabled']",
    ),
    (
        "infra.crmsync.mappings",
        "one stream unmapped",
        lambda s, e: crm(s)["mappings"].update(badges=[]),
        "failed",
        "badges stream mappings",
    ),
    (
        "infra.crmsync.mappings",
        "mapped to another function",
        lambda s, e: crm(s)["mappings"]["users"][0].update(FunctionArn=ARN.replace("crm-sync", "api") + ":live"),
        "failed",
        "users stream mappings",
    ),
    (
        "infra.crmsync.mappings",
        "duplicate",
        lambda s, e: crm(s)["mappings"]["users"].append(mapping("users", UUID="dup")),
        "failed",
        "deliver every record twice",
    ),
    (
        "infra.crmsync.mappings",
        "on $LATEST",
        lambda s, e: crm(s)["mappings"]["progress"][0].update(FunctionArn=ARN),
        "failed",
        "progress qualifier",
    ),
    (
        "infra.crmsync.mappings",
        "no partial batch response",
        lambda s, e: each_mapping(s, FunctionResponseTypes=[]),
        "failed",
        "FunctionResponseTypes",
    ),
    (
        "infra.crmsync.mappings",
        "no bisect",
        lambda s, e: each_mapping(s, BisectBatchOnFunctionError=False),
        "failed",
        "BisectBatchOnFunctionError",
    ),
    (
        "infra.crmsync.mappings",
        "unbounded retries",
        lambda s, e: each_mapping(s, MaximumRetryAttempts=-1),
        "failed",
        "unbounded",
    ),
    (
        "infra.crmsync.mappings",
        "stream missing",
        lambda s, e: (
            crm(s)["mappings"].update(users=None),
            s["lambda"]["errors"].update({"crm:mappings:users": "the users table has no stream"}),
        ),
        "failed",
        "the users table has no stream",
    ),
    (
        "infra.crmsync.dlq",
        "no destination",
        lambda s, e: each_mapping(s, DestinationConfig={}),
        "failed",
        "records that exhaust their retries are dropped",
    ),
    (
        "infra.crmsync.dlq",
        "queue missing",
        lambda s, e: (
            s["sqs"]["queues"].update({DLQ: None}),
            s["sqs"]["errors"].update({f"queue:{DLQ}": "GetQueueUrl: AWS.SimpleQueueService.NonExistentQueue: gone"}),
        ),
        "failed",
        "NonExistentQueue",
    ),
    (
        "infra.crmsync.dlq",
        "messages waiting",
        lambda s, e: s["sqs"]["queues"][DLQ].update(ApproximateNumberOfMessages=3),
        "failed",
        "3 failed record batch(es) waiting",
    ),
    (
        "infra.crmsync.dlq",
        "messages in flight",
        lambda s, e: s["sqs"]["queues"][DLQ].update(ApproximateNumberOfMessagesNotVisible=2),
        "warning",
        "2 message(s) in flight",
    ),
    (
        "infra.crmsync.alarms",
        "errors alarm missing",
        lambda s, e: s["cloudwatch"]["alarms"].pop("hedgehog-learn-local-crm-sync-errors"),
        "failed",
        "crm-sync-errors not found",
    ),
    (
        "infra.crmsync.alarms",
        "errors alarm on the API",
        lambda s, e: cw_alarm(s, "crm-sync-errors").update(
            Dimensions=[{"Name": "FunctionName", "Value": "hedgehog-learn-local-api"}]
        ),
        "failed",
        "Dimensions expected",
    ),
    (
        "infra.crmsync.alarms",
        "fires at the fifth error",
        lambda s, e: cw_alarm(s, "crm-sync-errors").update(Threshold=5),
        "failed",
        "fires at",
    ),
    (
        "infra.crmsync.alarms",
        "iterator age beyond the deadline",
        lambda s, e: cw_alarm(s, "crm-sync-iterator-age").update(Threshold=600000),
        "failed",
        "fires at",
    ),
    (
        "infra.crmsync.alarms",
        "dlq alarm on the wrong metric",
        lambda s, e: cw_alarm(s, "crm-sync-dlq-depth").update(MetricName="NumberOfMessagesSent"),
        "failed",
        "metric",
    ),
    (
        "infra.crmsync.alarms",
        "dlq alarm averaged",
        lambda s, e: cw_alarm(s, "crm-sync-dlq-depth").update(Statistic="Average"),
        "failed",
        "Statistic",
    ),
    (
        "infra.crmsync.alarms",
        "datapoints below periods",
        lambda s, e: cw_alarm(s, "crm-sync-iterator-age").update(DatapointsToAlarm=1),
        "failed",
        "DatapointsToAlarm",
    ),
    (
        "infra.crmsync.token_by_reference",
        "pat token inline",
        lambda s, e: plant_token(s, HUBSPOT_ACCESS="pat-na1-11111111-2222"),
        "failed",
        "['HUBSPOT_ACCESS'] hold a value",
    ),
    (
        "infra.crmsync.token_by_reference",
        "TOKEN variable with a value",
        lambda s, e: plant_token(s, HUBSPOT_TOKEN="abc123"),
        "failed",
        "['HUBSPOT_TOKEN'] hold a value",
    ),
    (
        "infra.crmsync.token_by_reference",
        "no reference",
        lambda s, e: crm(s)["function"].update(
            Environment=summarise_consumer_environment({"Environment": {"Variables": {"APP_STAGE": "local"}}})
        ),
        "failed",
        "names no SSM parameter",
    ),
    (
        "infra.crmsync.token_by_reference",
        "parameter missing",
        lambda s, e: (
            s["ssm"]["parameters"].update({PARAMETER: None}),
            s["ssm"]["errors"].update(
                {f"parameter:{PARAMETER}": f"parameter {PARAMETER} not found (DescribeParameters)"}
            ),
        ),
        "failed",
        "not found (DescribeParameters)",
    ),
    (
        "infra.crmsync.token_by_reference",
        "plain String parameter",
        lambda s, e: s["ssm"]["parameters"][PARAMETER].update(Type="String"),
        "warning",
        "not a SecureString",
    ),
]


@pytest.mark.parametrize(
    ("check_id", "mutate", "status", "fragment"),
    [pytest.param(c, m, st, f, id=f"{c}:{name}") for c, name, m, st, f in CASES],
)
def test_defect_gives_expected_outcome(check_id: str, mutate: Mutation, status: str, fragment: str) -> None:
    sections, environment = healthy(), env()
    assert evaluate(StaticSnapshot(sections, environment), check_id).status == "passed"  # baseline
    mutate(sections, environment)
    finding = evaluate(StaticSnapshot(sections, environment), check_id)
    assert finding.status == status, finding.message
    assert fragment in finding.message


def test_a_token_value_never_reaches_the_summary() -> None:
    summary = variables(HUBSPOT_TOKEN="pat-na1-11111111-2222", OTHER_SECRET="s3cr3t-value")
    assert summary["token_values"] == ["HUBSPOT_TOKEN", "OTHER_SECRET"]
    assert "pat-na1" not in repr(summary) and "s3cr3t" not in repr(summary)
    assert summary["references"] == {"HUBSPOT_TOKEN_PARAMETER": {"service": "ssm", "id": PARAMETER}}


@pytest.mark.parametrize(
    ("name", "value", "reference"),
    [
        (
            "HUBSPOT_TOKEN_PARAMETER",
            "arn:aws:ssm:us-west-2:123456789012:parameter/hedgehog-learn/dev/hubspot-token",
            {"service": "ssm", "id": "/hedgehog-learn/dev/hubspot-token"},
        ),
        (
            "HUBSPOT_TOKEN_SECRET_ARN",
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:hubspot-AbCdEf",
            {"service": "secretsmanager", "id": "arn:aws:secretsmanager:us-west-2:123456789012:secret:hubspot-AbCdEf"},
        ),
        ("HUBSPOT_SECRET_ID", "hubspot/token", {"service": "secretsmanager", "id": "hubspot/token"}),
        ("HUBSPOT_TOKEN_PARAMETER", "pat-na1-11111111-2222", None),
        ("HUBSPOT_TOKEN", "hubspot-token", None),
    ],
)
def test_references_are_told_from_values(name: str, value: str, reference: dict[str, str] | None) -> None:
    summary = variables(**{name: value})
    assert summary["references"].get(name) == reference
    assert (name in summary["token_values"]) is (reference is None)


def test_secrets_manager_reference_must_exist() -> None:
    sections, environment = healthy(), env()
    secret = "arn:aws:secretsmanager:us-west-2:123456789012:secret:hubspot-AbCdEf"
    crm(sections)["function"]["Environment"] = summarise_consumer_environment(
        {"Environment": {"Variables": {"HUBSPOT_TOKEN_SECRET_ARN": secret}}}
    )
    sections["secretsmanager"]["secrets"] = {secret: {"ARN": secret, "Name": "hubspot"}}
    assert evaluate(StaticSnapshot(sections, environment), "infra.crmsync.token_by_reference").status == "passed"
    sections["secretsmanager"]["secrets"] = {secret: None}
    sections["secretsmanager"]["errors"] = {f"secret:{secret}": "DescribeSecret: ResourceNotFoundException: gone"}
    finding = evaluate(StaticSnapshot(sections, environment), "infra.crmsync.token_by_reference")
    assert finding.status == "failed" and "ResourceNotFoundException" in finding.message


def test_moto_reports_the_version_behind_the_alias_locally_only() -> None:
    sections, environment = healthy(), env()
    each_mapping(sections, FunctionArn=f"{ARN}:2")  # moto 5.2: the version `live` points at
    finding = evaluate(StaticSnapshot(sections, environment), "infra.crmsync.mappings")
    assert finding.status == "passed" and "moto reports the version behind live" in finding.message
    environment.kind = "aws"
    assert evaluate(StaticSnapshot(sections, environment), "infra.crmsync.mappings").status == "failed"


def test_the_dlq_is_found_through_the_mappings_destination() -> None:
    sections, environment = healthy(), env()
    other = "arn:aws:sqs:us-west-2:123456789012:crm-failures"
    each_mapping(sections, DestinationConfig={"OnFailure": {"Destination": other}})
    sections["sqs"]["queues"]["crm-failures"] = {"QueueName": "crm-failures", "ApproximateNumberOfMessages": 1}
    finding = evaluate(StaticSnapshot(sections, environment), "infra.crmsync.dlq")
    assert finding.status == "failed" and "crm-failures ApproximateNumberOfMessages" in finding.message
    assert finding.actual["notes"] == [f"the mappings send failures to ['crm-failures'], not {DLQ}"]


def test_a_missing_stream_is_not_the_dlq_checks_failure() -> None:
    """infra.dynamodb.streams owns a table without a stream (one root cause, one red check)."""
    sections, environment = healthy(), env()
    crm(sections)["mappings"]["users"] = None
    sections["lambda"]["errors"]["crm:mappings:users"] = "the users table has no stream"
    assert evaluate(StaticSnapshot(sections, environment), "infra.crmsync.dlq").status == "passed"


def test_alarm_on_the_alias_resource_dimension_counts_as_the_consumer() -> None:
    sections, environment = healthy(), env()
    cw_alarm(sections, "crm-sync-errors")["Dimensions"].append({"Name": "Resource", "Value": f"{FN}:live"})
    cw_alarm(sections, "crm-sync-errors").update(ComparisonOperator="GreaterThanThreshold", Threshold=0)
    assert evaluate(StaticSnapshot(sections, environment), "infra.crmsync.alarms").status == "passed"


def test_disabled_crm_is_never_judged_as_passing() -> None:
    sections, environment = healthy(), env()
    sections["lambda"]["crm"] = None
    finding = evaluate(StaticSnapshot(sections, environment), "infra.crmsync.function")
    assert finding.status == "failed" and "crm.enabled is false" in finding.message


def test_names_follow_the_env_overrides() -> None:
    sections, environment = healthy(), env()
    environment.crm.dlq_name = "custom-dlq"
    finding = evaluate(StaticSnapshot(copy.deepcopy(sections), environment), "infra.crmsync.alarms")
    assert finding.status == "failed" and "custom-dlq" in finding.message


def test_a_missing_alias_is_the_function_checks_failure_only() -> None:
    sections, environment = healthy(), env()
    crm(sections)["aliases"] = []
    each_mapping(sections, FunctionArn=ARN)
    finding = evaluate(StaticSnapshot(sections, environment), "infra.crmsync.mappings")
    assert finding.status == "passed" and "has no alias live (infra.crmsync.function)" in finding.message
    assert evaluate(StaticSnapshot(sections, environment), "infra.crmsync.function").status == "failed"
