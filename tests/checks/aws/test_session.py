"""The read-only guard and the one-line error descriptions of checks.aws.session."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from checks.aws.session import ReadOnlyAws, ReadOnlyViolation, describe_error


@pytest.fixture
def aws(moto) -> ReadOnlyAws:
    return ReadOnlyAws(region="us-west-2", endpoint_url=moto.url)


@pytest.mark.parametrize(
    ("service", "operation", "kwargs"),
    [
        ("dynamodb", "delete_table", {"TableName": "hedgehog-learn-users-local"}),
        ("dynamodb", "put_item", {"TableName": "t", "Item": {}}),
        ("cloudwatch", "set_alarm_state", {"AlarmName": "a", "StateValue": "OK", "StateReason": "r"}),
        ("cloudformation", "detect_stack_drift", {"StackName": "hedgehog-learn-local"}),
        ("lambda", "update_alias", {"FunctionName": "f", "Name": "live", "FunctionVersion": "1"}),
    ],
)
def test_guard_refuses_writes_before_any_request(aws, service, operation, kwargs):
    with pytest.raises(ReadOnlyViolation, match=f"refused {service}:"):
        getattr(aws.client(service), operation)(**kwargs)


def test_guard_lets_reads_through(aws):
    assert aws.client("sts").get_caller_identity()["Account"]
    assert "TableNames" in aws.client("dynamodb").list_tables()
    # FilterLogEvents is allowed although it is not Describe/Get/List: the request reaches moto, which answers 400.
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aws.client("logs").filter_log_events(logGroupName="/nope")


def test_describe_error_is_one_line_without_traceback():
    assert describe_error(EndpointConnectionError(endpoint_url="http://x"), "http://x") == (
        "AWS endpoint unreachable: http://x"
    )
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeTable")
    assert describe_error(denied, "AWS us-west-2") == "DescribeTable: AccessDenied: not allowed"
