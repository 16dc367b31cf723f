"""The deployment document's CRM consumer section is read from the lambda and sqs snapshots only."""

from __future__ import annotations

from reports.snapshots import crm_consumer_view

MAPPING = {
    "State": "Enabled",
    "BatchSize": 25,
    "MaximumBatchingWindowInSeconds": 2,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-west-2:1:hedgehog-learn-local-crm-sync-dlq"}},
}
LAMBDA = {
    "crm": {
        "function_name": "hedgehog-learn-local-crm-sync",
        "function": {"FunctionName": "hedgehog-learn-local-crm-sync", "Runtime": "python3.12", "MemorySize": 256},
        "aliases": [{"Name": "live", "FunctionVersion": "3"}],
        "mappings": {"users": [MAPPING], "badges": []},
    }
}
SQS = {
    "queues": {
        "hedgehog-learn-local-crm-sync-dlq": {
            "QueueName": "hedgehog-learn-local-crm-sync-dlq",
            "ApproximateNumberOfMessages": 2,
            "ApproximateNumberOfMessagesNotVisible": 0,
        }
    }
}


def test_each_table_stream_is_a_row_and_a_table_without_a_mapping_says_none() -> None:
    view = crm_consumer_view(LAMBDA, SQS)
    assert view is not None
    assert view["function"]["live_version"] == "3" and view["function"]["memory"] == 256
    users, badges = view["mappings"]
    assert users == {
        "table": "users",
        "state": "Enabled",
        "batch": 25,
        "window_s": 2,
        "partial": True,
        "bisect": True,
        "retries": 5,
        "on_failure": MAPPING["DestinationConfig"]["OnFailure"]["Destination"],
    }
    assert badges["table"] == "badges" and badges["state"] == "none" and badges["on_failure"] == "none"
    assert view["queues"] == [{"name": "hedgehog-learn-local-crm-sync-dlq", "visible": 2, "in_flight": 0}]


def test_no_crm_section_renders_nothing_and_a_missing_function_is_none() -> None:
    assert crm_consumer_view({"function": {}}, {}) is None
    view = crm_consumer_view({"crm": {"function_name": "f", "function": None, "mappings": {}}}, {})
    assert view == {"name": "f", "function": None, "mappings": [], "queues": []}
