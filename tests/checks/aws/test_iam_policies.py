"""The shipped IAM policies (iam/): the read-only one grants reads only and agrees with the read-only guard, the
writes one adds only what `allow_writes` needs, parliament finds nothing in either (and does find a planted fault),
and each call declared AWS-only (iam/aws-only-calls.json) is made by the code path it names. Which calls a run
really makes is tests/integration/test_healthy_run.py's coverage test."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import botocore.session
import parliament  # type: ignore[import-untyped]
import pytest
from botocore.stub import Stubber

from checks.aws.calls import RECORDER, iam_action
from checks.aws.cleanup import remove_user_rows
from checks.aws.collectors import apigatewayv2, iam, secretsmanager
from checks.aws.session import SECRET_VALUE_READS, ReadOnlyAws, _refuse_writes, check_cleanup_delete, cleanup_client
from checks.aws.snapshot import CollectContext, InfraSnapshot
from suites.load.alarms import fired_since
from tests.checks.aws.iam_policy import (
    READ_ONLY,
    WRITES,
    access_level,
    allows_row,
    as_list,
    declared_calls,
    granted,
    load,
    path_fits,
    statements,
)

_BOTOCORE = botocore.session.get_session()
_SERVICE_OF_PREFIX = {"apigateway": "apigatewayv2"}  # IAM prefix → boto3 service, where they differ
TABLES = {role: f"hedgehog-learn-{role}-dev" for role in ("users", "enrollments", "progress", "badges")}
SUB = "11111111-1111-4111-8111-111111111111"


def _operations(action: str, resources: list[str]) -> list[Any]:
    """The botocore operation models an IAM action can authorise (API Gateway: every HTTP API operation of that verb
    whose path fits one of `resources`)."""
    prefix, _, name = action.partition(":")
    service = _BOTOCORE.get_service_model(_SERVICE_OF_PREFIX.get(prefix, prefix))
    if prefix != "apigateway":
        return [service.operation_model(name)]
    models = [service.operation_model(op) for op in service.operation_names]
    return [
        m
        for m in models
        if m.http["method"] == name
        and any(path_fits(str(iam_action("apigatewayv2", m.name, m.http).resource), r) for r in resources)
    ]


def test_the_read_only_policy_grants_reads_the_guard_lets_through() -> None:
    policy = load(READ_ONLY)
    for statement in statements(policy):
        resources = as_list(statement["Resource"])
        for action in as_list(statement["Action"]):
            assert access_level(action) in {"List", "Read"}, action
            assert action not in SECRET_VALUE_READS
            models = _operations(action, resources)
            assert models, f"{action} on {resources}: no operation"
            for model in models:
                _refuse_writes(model)  # raises ReadOnlyViolation for anything the harness may not call


def test_the_writes_policy_adds_only_the_cleanup_s_delete_and_the_reads_of_writing_checks() -> None:
    read_only, writes = granted(load(READ_ONLY)), granted(load(WRITES))
    assert not read_only & writes
    assert {a for a in writes if access_level(a) not in {"List", "Read"}} == {"dynamodb:DeleteItem"}
    # The read-only guard refuses DeleteItem; only the cleanup's guard lets it through, for the user's own rows.
    [delete] = _operations("dynamodb:DeleteItem", ["*"])
    with pytest.raises(Exception, match="refused dynamodb:DeleteItem"):
        _refuse_writes(delete)
    check_cleanup_delete(
        {"TableName": TABLES["users"], "Key": {"PK": {"S": f"USER#{SUB}"}, "SK": {"S": "PROFILE"}}},
        {name: role for role, name in TABLES.items()},
        SUB,
    )


def _findings(policy: dict[str, Any] | str) -> list[str]:
    text = policy if isinstance(policy, str) else json.dumps(policy)
    return [f"{f.issue}: {f.detail}" for f in parliament.analyze_policy_string(text).findings]


@pytest.mark.parametrize("path", [READ_ONLY, WRITES], ids=lambda p: p.name)
def test_parliament_finds_nothing(path: Any) -> None:
    assert _findings(path.read_text()) == []


def test_parliament_flags_a_planted_resource_mismatch() -> None:
    """The lint can fail: a table action on a topic's ARN, added to the read-only policy."""
    policy = load(READ_ONLY)
    wrong = {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "arn:aws:sns:us-west-2:*:hedgehog-x"}
    policy["Statement"].append(wrong)
    assert any("RESOURCE_MISMATCH" in finding for finding in _findings(policy))


# One code path per declared AWS-only call, run against stubbed clients (nothing is sent).
@pytest.fixture
def aws() -> ReadOnlyAws:
    return ReadOnlyAws(region="us-west-2", endpoint_url="http://127.0.0.1:9")


def _context(aws: ReadOnlyAws, env: Any, service: str, lambda_section: dict[str, Any] | None = None) -> Any:
    sections = {"lambda": lambda ctx: lambda_section or {}}
    return CollectContext(InfraSnapshot(aws, env, collectors=sections), service)


def _api_mappings(aws: ReadOnlyAws) -> None:
    env = SimpleNamespace(api_id=None, api_base_url="https://api.hedgehog.cloud")
    with Stubber(aws.client("apigatewayv2")) as stub:
        stub.add_response("get_api_mappings", {"Items": []})
        apigatewayv2.collect(_context(aws, env, "apigatewayv2"))


def _attached_policy(aws: ReadOnlyAws) -> None:
    role = {"function": {"Role": "arn:aws:iam::123456789012:role/hedgehog-learn-dev-ApiRole"}, "errors": {}}
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    with Stubber(aws.client("iam")) as stub:
        stub.add_response("list_role_policies", {"PolicyNames": []})
        stub.add_response("list_attached_role_policies", {"AttachedPolicies": [{"PolicyArn": arn}]})
        stub.add_response("get_policy", {"Policy": {"DefaultVersionId": "v1"}})
        stub.add_response("get_policy_version", {"PolicyVersion": {"Document": "%7B%7D"}})
        section = iam.collect(_context(aws, None, "iam", role))
    assert section["attached_policies"] == {arn: {}}


def _secret(aws: ReadOnlyAws) -> None:
    reference = {"service": "secretsmanager", "id": "hedgehog-learn/dev/hubspot"}
    consumer = {"crm": {"function": {"Environment": {"references": {"HUBSPOT_TOKEN": reference}}}}}
    env = SimpleNamespace(crm=SimpleNamespace(enabled=True))
    with Stubber(aws.client("secretsmanager")) as stub:
        stub.add_response("describe_secret", {"Name": "hedgehog-learn/dev/hubspot"})
        section = secretsmanager.collect(_context(aws, env, "secretsmanager", consumer))
    assert section["secrets"] == {"hedgehog-learn/dev/hubspot": {"Name": "hedgehog-learn/dev/hubspot"}}


def _alarm_history(aws: ReadOnlyAws) -> None:
    now = datetime.now(UTC)
    with Stubber(aws.client("cloudwatch")) as stub:
        stub.add_response("describe_alarm_history", {"AlarmHistoryItems": []})
        assert fired_since(aws.client("cloudwatch"), "hedgehog-learn-dev-", now - timedelta(minutes=5), now) == []


def _cleanup(aws: ReadOnlyAws) -> None:
    client = cleanup_client(aws, {name: role for role, name in TABLES.items()}, SUB)
    with Stubber(client) as stub:
        stub.add_response("query", {"Items": [{"PK": {"S": f"USER#{SUB}"}, "SK": {"S": "PROFILE"}}]})
        stub.add_response("query", {"Items": []})  # enrollments
        stub.add_response("query", {"Items": []})  # badges
        stub.add_response("delete_item", {})
        record = remove_user_rows(client, TABLES, SUB)
    assert record["errors"] == [] and len(record["deleted"]) == 1


EXERCISERS: dict[tuple[str, str], Callable[[ReadOnlyAws], None]] = {
    ("apigatewayv2", "GetApiMappings"): _api_mappings,
    ("iam", "GetPolicy"): _attached_policy,
    ("iam", "GetPolicyVersion"): _attached_policy,
    ("secretsmanager", "DescribeSecret"): _secret,
    ("cloudwatch", "DescribeAlarmHistory"): _alarm_history,
    ("dynamodb", "DeleteItem"): _cleanup,
}
DECLARED = [*declared_calls("read-only"), *declared_calls("writes")]


def test_every_declared_call_has_its_code_path_here() -> None:
    assert sorted((c["service"], c["operation"]) for c in DECLARED) == sorted(EXERCISERS)


@pytest.mark.parametrize("call", DECLARED, ids=lambda c: f"{c['service']}:{c['operation']}")
def test_a_declared_aws_only_call_is_made_by_its_code_path_and_granted(call: dict[str, Any], aws: ReadOnlyAws) -> None:
    RECORDER.clear()
    try:
        EXERCISERS[(call["service"], call["operation"])](aws)
        rows = {(r["service"], r["operation"]): r for r in RECORDER.rows()}
    finally:
        RECORDER.clear()
    row = rows[(call["service"], call["operation"])]
    assert (row["action"], row["resource"]) == (call["action"], call["resource"])
    http = _BOTOCORE.get_service_model(call["service"]).operation_model(call["operation"]).http
    assert iam_action(call["service"], call["operation"], http).action == call["action"]
    assert allows_row(load(READ_ONLY if call["policy"] == "read-only" else WRITES), row)


def test_make_lint_runs_parliament_on_both_policies() -> None:
    makefile = READ_ONLY.parents[1] / "Makefile"
    recipe = makefile.read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert 'for p in iam/harness-*.json; do echo "parliament $$p"; $(VENV)/bin/parliament --string' in recipe
    assert sorted(p.name for p in READ_ONLY.parent.glob("harness-*.json")) == [READ_ONLY.name, WRITES.name]
