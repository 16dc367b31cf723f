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
        # Reads of a secret's value are refused like writes (infra.crmsync.token_by_reference only describes).
        ("ssm", "get_parameter", {"Name": "/hedgehog-learn/local/hubspot-token", "WithDecryption": True}),
        ("ssm", "get_parameters", {"Names": ["/hedgehog-learn/local/hubspot-token"]}),
        ("ssm", "get_parameters_by_path", {"Path": "/hedgehog-learn/"}),
        ("ssm", "get_parameter_history", {"Name": "/hedgehog-learn/local/hubspot-token"}),
        ("secretsmanager", "get_secret_value", {"SecretId": "hubspot"}),
        ("sqs", "receive_message", {"QueueUrl": "http://127.0.0.1/123456789012/dlq"}),
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
    # What the CRM consumer's checks read: metadata and counts only.
    assert "Parameters" in aws.client("ssm").describe_parameters()
    assert "EventSourceMappings" in aws.client("lambda").list_event_source_mappings()
    with pytest.raises(ClientError, match="NonExistentQueue"):
        aws.client("sqs").get_queue_url(QueueName="hedgehog-learn-nope-crm-sync-dlq")


def test_describe_error_is_one_line_without_traceback():
    assert describe_error(EndpointConnectionError(endpoint_url="http://x"), "http://x") == (
        "AWS endpoint unreachable: http://x"
    )
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeTable")
    assert describe_error(denied, "AWS us-west-2") == "DescribeTable: AccessDenied: not allowed"


def test_a_client_created_while_pytest_changes_the_environment_is_retried() -> None:
    from checks.aws.session import _created_despite_env_churn

    calls: list[int] = []

    def racing() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("PYTEST_CURRENT_TEST")  # os.environ changed while urllib iterated it
        return "client"

    assert _created_despite_env_churn(racing) == "client" and len(calls) == 2

    def always() -> str:
        raise KeyError("PYTEST_CURRENT_TEST")

    with pytest.raises(KeyError):
        _created_despite_env_churn(always)
