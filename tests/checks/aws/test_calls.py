"""The AWS call recorder (checks.aws.calls): the IAM action of each operation, counts per scope from the clients of
checks.aws.session (botocore Stubber: nothing is sent), names only, and aws-calls.json from a gate run, serial and
under xdist."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from checks.aws.calls import RECORDER, iam_action, merge_rows, read_calls, write_calls
from checks.aws.session import ReadOnlyAws, ReadOnlyViolation, cleanup_client
from checks.aws.snapshot import InfraSnapshot
from tests.checks.gate_project import Gate, env_document

TABLE = "hedgehog-learn-users-local"
SUB = "11111111-1111-4111-8111-111111111111"
_BOTOCORE = botocore.session.get_session()


def _http(service: str, operation: str) -> dict[str, Any]:
    return dict(_BOTOCORE.get_service_model(service).operation_model(operation).http)


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("dynamodb", "DescribeTable", "dynamodb:DescribeTable"),
        ("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),  # endpoint prefix `monitoring`, IAM `cloudwatch`
        ("cognito-idp", "DescribeUserPool", "cognito-idp:DescribeUserPool"),
        ("lambda", "GetFunction20150331v2", "lambda:GetFunction"),  # the wire name carries the API version
        ("lambda", "ListFunctions20150331", "lambda:ListFunctions"),
        ("lambda", "ListVersionsByFunction", "lambda:ListVersionsByFunction"),
        ("sts", "GetCallerIdentity", None),  # answered for any valid credentials: no policy can deny it
    ],
)
def test_iam_action_of_an_operation(service: str, operation: str, action: str | None) -> None:
    assert iam_action(service, operation).action == action


@pytest.mark.parametrize(
    ("operation", "path"),
    [
        ("GetApi", "/apis/{apiId}"),
        ("GetStages", "/apis/{apiId}/stages"),
        ("GetApiMappings", "/domainnames/{domainName}/apimappings"),
    ],
)
def test_http_api_operations_are_apigateway_get_on_their_path(operation: str, path: str) -> None:
    mapped = iam_action("apigatewayv2", operation, _http("apigatewayv2", operation))
    assert (mapped.action, mapped.resource) == ("apigateway:GET", path)
    assert iam_action("apigatewayv2", "DeleteApi", _http("apigatewayv2", "DeleteApi")).action == "apigateway:DELETE"


def test_an_http_api_operation_without_its_http_model_is_refused() -> None:
    with pytest.raises(ValueError, match="apigatewayv2:GetApi: the operation's HTTP method and path are needed"):
        iam_action("apigatewayv2", "GetApi")


@pytest.fixture
def recorder() -> Iterator[Any]:
    RECORDER.clear()
    yield RECORDER
    RECORDER.clear()


@pytest.fixture
def aws() -> ReadOnlyAws:
    # A local endpoint (dummy credentials, never ~/.aws) that nothing reaches: every response is stubbed.
    return ReadOnlyAws(region="us-west-2", endpoint_url="http://127.0.0.1:9")


def _by_op(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{r['service']}:{r['operation']}": r for r in rows}


def test_calls_are_counted_per_scope_names_only(recorder: Any, aws: ReadOnlyAws) -> None:
    client = aws.client("dynamodb")
    with Stubber(client) as stub:
        for operation in ("describe_table", "describe_table", "query", "describe_table"):
            stub.add_response(operation, {"Items": []} if operation == "query" else {"Table": {"TableName": TABLE}})
        with recorder.within("none", "infra.dynamodb.tables"):
            client.describe_table(TableName=TABLE)
            client.describe_table(TableName=TABLE)
        with recorder.within("user", "load.concurrency.no_lost_updates"):
            client.query(
                TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": SUB}}
            )
        client.describe_table(TableName=TABLE)  # outside any check: the session's
    with pytest.raises(ReadOnlyViolation):
        client.put_item(TableName=TABLE, Item={"PK": {"S": SUB}})  # refused before it is built: never sent
    rows = _by_op(recorder.rows())
    assert set(rows) == {"dynamodb:DescribeTable", "dynamodb:Query"}
    assert rows["dynamodb:DescribeTable"] == {
        "service": "dynamodb",
        "operation": "DescribeTable",
        "action": "dynamodb:DescribeTable",
        "resource": None,
        "count": 3,
        "by_scope": {"none": 2, "session": 1},
        "checks": ["infra.dynamodb.tables"],
    }
    assert rows["dynamodb:Query"]["by_scope"] == {"user": 1}
    text = json.dumps(recorder.rows())
    assert TABLE not in text and SUB not in text  # no parameter, no value


def test_the_cleanup_client_records_as_cleanup_inside_any_check(recorder: Any, aws: ReadOnlyAws) -> None:
    client = cleanup_client(aws, {TABLE: "users"}, SUB)
    with Stubber(client) as stub:
        stub.add_response("delete_item", {})
        with recorder.within("none", "infra.dynamodb.tables"):
            client.delete_item(TableName=TABLE, Key={"PK": {"S": f"USER#{SUB}"}, "SK": {"S": "PROFILE"}})
    assert _by_op(recorder.rows())["dynamodb:DeleteItem"]["by_scope"] == {"cleanup": 1}


def test_snapshot_collectors_count_for_the_check_that_started_them(recorder: Any, aws: ReadOnlyAws) -> None:
    client = aws.client("sns")
    release = threading.Event()

    def collector(ctx: Any) -> dict[str, Any]:
        release.wait(10)  # still collecting when the starting check has ended
        client.get_topic_attributes(TopicArn="arn:aws:sns:us-west-2:123456789012:hedgehog-learn-local-alarms")
        return {}

    snapshot = InfraSnapshot(aws, env=None, collectors={"sns": collector})
    with Stubber(client) as stub:
        stub.add_response("get_topic_attributes", {"Attributes": {}})
        stub.add_response("get_topic_attributes", {"Attributes": {}})
        with recorder.within("none", "infra.alarms.definitions"):
            snapshot.start()
        with recorder.within("user", "api.events.persisted"):
            release.set()
            snapshot.get("sns")
            worker = threading.Thread(target=collector, args=(None,))  # a bare thread: the session's
            worker.start()
            worker.join(10)
    snapshot.close()
    row = _by_op(recorder.rows())["sns:GetTopicAttributes"]
    assert (row["by_scope"], row["checks"]) == ({"none": 1, "session": 1}, ["infra.alarms.definitions"])


class _Model:
    """The two attributes of a botocore OperationModel the recorder reads."""

    def __init__(self, service: str, name: str) -> None:
        self.name, self.http = name, {}
        self.service_model = type("ServiceModel", (), {"service_name": service})()


def test_concurrent_calls_are_all_counted(recorder: Any) -> None:
    model = _Model("logs", "FilterLogEvents")

    def calls() -> None:
        for _ in range(200):
            recorder.record(model)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _by_op(recorder.rows())["logs:FilterLogEvents"]["count"] == 1600


def test_rows_of_several_processes_merge_and_round_trip(tmp_path: Any) -> None:
    def row(count: int, scope: str, checks: list[str]) -> dict[str, Any]:
        return {"service": "logs", "operation": "DescribeLogGroups", "action": "logs:DescribeLogGroups",
                "resource": None, "count": count, "by_scope": {scope: count}, "checks": checks}  # fmt: skip

    merged = merge_rows([row(2, "none", ["infra.logs.group"]), row(1, "session", []), row(3, "none", ["a.b.c"])])
    assert len(merged) == 1
    assert (merged[0]["count"], merged[0]["by_scope"], merged[0]["checks"]) == (
        6,
        {"none": 5, "session": 1},
        ["a.b.c", "infra.logs.group"],
    )
    path = write_calls(tmp_path / "aws-calls.json", merged, run_id="local-x", processes=["gw1", "main"])
    assert read_calls(path) == merged
    assert json.loads(path.read_text())["total"] == 6
    (tmp_path / "other.json").write_text('{"checks": []}')
    with pytest.raises(ValueError, match="not an aws-calls document"):
        read_calls(tmp_path / "other.json")


# Two checks of the real catalog (writes none), each making stubbed calls through the `aws` fixture's client.
CALLING_SUITE = """
import pytest
from botocore.stub import Stubber

def _describe(aws, times):
    client = aws.client("dynamodb")
    with Stubber(client) as stub:
        for _ in range(times):
            stub.add_response("describe_table", {"Table": {}})
            client.describe_table(TableName="hedgehog-learn-users-dev")

@pytest.mark.check("infra.dynamodb.tables")
def test_tables(aws):
    _describe(aws, 2)

@pytest.mark.check("infra.dynamodb.streams")
def test_streams(aws):
    _describe(aws, 3)
"""


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_gate_run_writes_aws_calls_merged_across_workers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]
) -> None:
    # No credentials (every call is stubbed, none is signed; the run identity then reads nothing), no instance
    # metadata lookup, and loopback as the endpoint of any call a stub would miss: nothing leaves the machine.
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }.items():
        monkeypatch.setenv(name, value)
    gate = Gate(pytester)
    gate.suite(CALLING_SUITE, area="infra")
    env = gate.env_file(env_document("http://127.0.0.1:9", api_id="x"))
    result = gate.run("--env", str(env), *xdist)
    assert {c["status"] for c in gate.results().values()} == {"passed"}, result.stdout.str()[-2000:]
    document = json.loads((gate.report_dir / "aws-calls.json").read_text())
    assert document["total"] == 5
    [row] = document["calls"]
    assert (row["action"], row["by_scope"]) == ("dynamodb:DescribeTable", {"none": 5})
    assert row["checks"] == ["infra.dynamodb.streams", "infra.dynamodb.tables"]
    assert document["processes"] == (["gw0", "gw1", "main"] if xdist else ["main"])
