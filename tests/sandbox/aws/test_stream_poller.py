"""The stream poller against a moto server and a fake consumer: Lambda-shaped batches, partial batch responses,
bisect on a raised error, bounded retries then Lambda's on-failure record in the DLQ, disabled mappings, the ledger.

Synchronisation is on conditions (the fake consumer signals what it saw), never on sleeps.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from sandbox.aws.provision import Provisioned
from sandbox.aws.stream_poller import StreamPoller, ledger_route
from tests.sandbox.aws.stage import REGION

BOUND_S = 20.0  # generous: a shared two-core machine


class FakeConsumer:
    """Records every event; `decide(records)` returns failed sequence numbers or raises."""

    def __init__(self, decide: Callable[[list[dict[str, Any]]], list[str]] | None = None) -> None:
        self.decide = decide or (lambda records: [])
        self.events: list[list[dict[str, Any]]] = []
        self._changed = threading.Condition()

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        records = event["Records"]
        with self._changed:
            self.events.append(records)
            self._changed.notify_all()
        failed = self.decide(records)
        return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}

    def wait_for(self, condition: Callable[[], bool]) -> None:
        with self._changed:
            assert self._changed.wait_for(condition, timeout=BOUND_S), f"not within {BOUND_S} s: {self.events!r:.500}"

    def delivered_keys(self) -> list[str]:
        return [r["dynamodb"]["Keys"]["PK"]["S"] for batch in self.events for r in batch]


@pytest.fixture(scope="module")
def stage(provision_stage) -> Provisioned:
    return provision_stage()


@pytest.fixture
def run_poller(moto, stage: Provisioned) -> Iterator[Callable[..., StreamPoller]]:
    pollers: list[StreamPoller] = []

    def start(consumer: FakeConsumer, provisioned: Provisioned | None = None, **options: Any) -> StreamPoller:
        target = provisioned or stage
        poller = StreamPoller(moto.url, REGION, target.crm_function_name, consumer, retry_delay_s=0, **options)
        poller.start()
        pollers.append(poller)
        return poller

    yield start
    for poller in pollers:
        poller.stop()


def _batch_put(aws, table: str, keys: list[str]) -> None:
    ddb = aws("dynamodb")
    for start in range(0, len(keys), 25):
        items = [{"PutRequest": {"Item": {"PK": {"S": k}, "SK": {"S": "PROFILE"}}}} for k in keys[start : start + 25]]
        ddb.batch_write_item(RequestItems={table: items})


def _keys(n: int) -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"USER#{run}-{i:03d}" for i in range(n)]


def test_delivers_lambda_shaped_batches_of_at_most_batch_size(aws, stage: Provisioned, run_poller) -> None:
    consumer = FakeConsumer()
    run_poller(consumer)
    keys = _keys(60)
    _batch_put(aws, stage.tables["users"], keys)
    consumer.wait_for(lambda: len(consumer.delivered_keys()) >= 60)
    assert consumer.delivered_keys() == keys  # each once, in stream order
    assert max(len(batch) for batch in consumer.events) <= 25  # the mapping's BatchSize
    record = consumer.events[0][0]
    assert (record["eventName"], record["eventSource"], record["awsRegion"]) == ("INSERT", "aws:dynamodb", REGION)
    assert record["eventSourceARN"] == stage.stream_arns["users"]
    assert record["eventID"]
    dynamodb = record["dynamodb"]
    assert dynamodb["Keys"] == {"PK": {"S": keys[0]}, "SK": {"S": "PROFILE"}}
    assert dynamodb["NewImage"] == {"PK": {"S": keys[0]}, "SK": {"S": "PROFILE"}}
    assert dynamodb["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(dynamodb["ApproximateCreationDateTime"], float)  # epoch seconds, as Lambda passes it
    assert int(dynamodb["SequenceNumber"]) > 0 and dynamodb["SizeBytes"] > 0
    json.dumps(consumer.events)  # the event is plain JSON, as a Lambda payload is


def test_partial_failure_is_retried_from_the_lowest_failed_record(aws, stage: Provisioned, run_poller) -> None:
    keys = _keys(10)
    failed_once: set[str] = set()

    def decide(records: list[dict[str, Any]]) -> list[str]:
        # Records 4 and 7 fail on their first delivery only.
        failing = [r for r in records if r["dynamodb"]["Keys"]["PK"]["S"] in (keys[4], keys[7])]
        fresh = [r["dynamodb"]["SequenceNumber"] for r in failing if r["eventID"] not in failed_once]
        failed_once.update(r["eventID"] for r in failing)
        return fresh

    consumer = FakeConsumer(decide)
    poller = run_poller(consumer)
    _batch_put(aws, stage.tables["progress"], keys)
    consumer.wait_for(
        lambda: consumer.delivered_keys().count(keys[7]) == 2 and consumer.delivered_keys()[-1] == keys[9]
    )
    delivered = consumer.delivered_keys()
    assert [delivered.count(k) for k in keys[:4]] == [1, 1, 1, 1]  # before the lowest failure: never again
    assert all(delivered.count(k) >= 1 for k in keys)
    # The first batch with a failure is retried next, from its lowest failed record on.
    first = next(i for i, batch in enumerate(consumer.events) if any(r["eventID"] in failed_once for r in batch))
    batch, retry = consumer.events[first], consumer.events[first + 1]
    lowest = min(int(r["dynamodb"]["SequenceNumber"]) for r in batch if r["eventID"] in failed_once)
    assert retry == [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= lowest]
    ledger = poller.ledger.snapshot()
    assert ledger["batch_item_failures"] == 2 and ledger["dlq_sends"] == 0


def test_a_raised_error_bisects_then_gives_up_into_the_dlq(aws, stage: Provisioned, run_poller) -> None:
    keys = _keys(8)
    poison = keys[5]

    def decide(records: list[dict[str, Any]]) -> list[str]:
        if any(r["dynamodb"]["Keys"]["PK"]["S"] == poison for r in records):
            raise RuntimeError("poison record")
        return []

    consumer = FakeConsumer(decide)
    poller = run_poller(consumer)
    _batch_put(aws, stage.tables["badges"], keys)
    consumer.wait_for(
        lambda: poller.ledger.snapshot()["dlq_sends"] == 1 and set(keys) <= set(consumer.delivered_keys())
    )
    alone = [batch for batch in consumer.events if [r["dynamodb"]["Keys"]["PK"]["S"] for r in batch] == [poison]]
    assert len(alone) == 1 + 5  # the isolated record: first try + MaximumRetryAttempts
    assert all(consumer.delivered_keys().count(k) >= 1 for k in keys)
    messages = aws("sqs").receive_message(QueueUrl=stage.crm_dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    info = body["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (1, stage.stream_arns["badges"])
    poison_seq = next(r for b in alone for r in b)["dynamodb"]["SequenceNumber"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == poison_seq
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["functionArn"] == stage.crm_alias_arn
    assert body["responseContext"]["functionError"] == "Unhandled"
    assert "poison" not in messages[0]["Body"]  # no record body, no error text: metadata only
    ledger = poller.ledger.snapshot()
    assert ledger["function_errors"] >= 6 and ledger["dlq_records"] == 1
    assert ledger["given_up"][-1]["first_sequence_number"] == poison_seq


def test_a_disabled_mapping_delivers_nothing(aws, provision_stage, run_poller) -> None:
    disabled = provision_stage(faults=frozenset({"provision.crm_mapping_disabled"}))
    consumer = FakeConsumer()
    poller = run_poller(consumer, disabled)
    assert poller.mappings() == []  # nothing is read, so nothing can be delivered
    states = {m["table"]: m["state"] for m in poller.ledger.snapshot()["mappings"]}
    assert states == {name: "Disabled" for name in disabled.tables.values()}


def test_the_ledger_route_serves_the_snapshot(stage: Provisioned, run_poller) -> None:
    poller = run_poller(FakeConsumer())
    with TestClient(Starlette(routes=[ledger_route(poller.ledger)])) as client:
        answer = client.get("/__standin/sync").json()
    assert answer["invocations"] == poller.ledger.snapshot()["invocations"]
    assert {m["table"] for m in answer["mappings"]} == set(stage.tables.values())
    assert {m["state"] for m in answer["mappings"]} == {"Enabled"}


def test_the_interval_is_at_most_one_second() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        StreamPoller("http://127.0.0.1:1", REGION, "f", FakeConsumer(), interval_s=2.0)


def test_a_paused_poller_delivers_nothing_until_resumed(aws, stage: Provisioned, run_poller) -> None:
    """`sandbox up` pauses the sync while a harness measures the API's latency: records wait in the stream."""
    consumer = FakeConsumer()
    poller = run_poller(consumer)
    held = threading.Event()
    held.set()
    asked: list[str] = []
    changed = threading.Condition()

    def paused() -> bool:
        with changed:
            asked.append(threading.current_thread().name)
            changed.notify_all()
        return held.is_set()

    def rounds_seen(threads: int, each: int) -> None:
        with changed:
            assert changed.wait_for(lambda: len({n for n in asked if asked.count(n) >= each}) >= threads, BOUND_S)

    mappings = len(stage.stream_arns)
    poller.paused = paused
    rounds_seen(mappings, 1)  # every thread is past the check it made before the switch: none is mid-read now
    keys = _keys(5)
    _batch_put(aws, stage.tables["users"], keys)
    with changed:
        asked.clear()
    rounds_seen(mappings, 3)  # every thread has passed three rounds since the writes
    assert consumer.delivered_keys() == []
    held.clear()
    consumer.wait_for(lambda: set(keys) <= set(consumer.delivered_keys()))
