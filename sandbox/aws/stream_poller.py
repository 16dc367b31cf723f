"""The sandbox's Lambda stream poller: moto's DynamoDB streams → the CRM consumer, as Lambda's event source mappings do.

One thread per **enabled** mapping of the consumer (moto holds the mappings as configuration only, see
moto_server.py): `describe_stream` for the shard, `get_shard_iterator` LATEST, then `get_records` every
`interval_s` (≤ 1 s). Records go to the consumer in batches of at most the mapping's BatchSize as Lambda-shaped
DynamoDB Streams events. The partial batch response is honoured: a batch is retried from its lowest failed sequence
number, a raised error bisects the batch (when BisectBatchOnFunctionError), and after MaximumRetryAttempts the
records are given up and Lambda's on-failure record is sent to the OnFailure destination (the SQS DLQ). The
ledger of what happened is served at `GET /__standin/sync` on the HubSpot stand-in (`ledger_route`).

    >>> poller = StreamPoller(aws_endpoint_url, region, function_name, consumer)
    >>> poller.start()   # ... table writes reach the consumer within ≈ interval_s ...
    >>> poller.stop()
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sandbox.aws.context import client_for
from sandbox.aws.sync_ledger import SyncLedger, ledger_route

__all__ = ["THREAD_PREFIX", "Consumer", "StreamMapping", "StreamPoller", "SyncLedger", "lambda_event", "ledger_route"]

log = logging.getLogger(__name__)

Consumer = Callable[[dict[str, Any]], Mapping[str, Any] | None]
DEFAULT_INTERVAL_S = 0.5  # SPEC §7: ≤ 1 s; half a second keeps the sync latency well under the 3 s target
READ_LIMIT = 1000  # records per GetRecords (the DynamoDB Streams maximum)
THREAD_PREFIX = "crm-stream-"  # the poller's threads: what the consumer logs on them is the consumer's


@dataclass(frozen=True)
class StreamMapping:
    """The settings of one event source mapping that the poller honours."""

    uuid: str
    stream_arn: str
    table: str
    batch_size: int
    max_retries: int  # -1 = infinite, as AWS
    bisect: bool
    destination: str | None  # OnFailure destination ARN (an SQS queue)
    function_arn: str
    shard_id: str = ""

    @classmethod
    def from_api(cls, mapping: Mapping[str, Any]) -> StreamMapping:
        destination = (mapping.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        return cls(
            uuid=mapping["UUID"],
            stream_arn=mapping["EventSourceArn"],
            table=mapping["EventSourceArn"].split(":table/", 1)[1].split("/", 1)[0],
            batch_size=int(mapping.get("BatchSize") or 100),
            max_retries=int(mapping.get("MaximumRetryAttempts", -1)),
            bisect=bool(mapping.get("BisectBatchOnFunctionError")),
            destination=destination or None,
            function_arn=mapping.get("FunctionArn", ""),
        )


def lambda_event(records: list[dict[str, Any]], mapping: StreamMapping, region: str) -> dict[str, Any]:
    """The DynamoDB Streams event Lambda hands a function: GetRecords records plus the source ARN, creation time
    as epoch seconds (boto3 parses it into a datetime)."""
    shaped = []
    for record in records:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        shaped.append(
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": record.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": region,  # moto 5.2 always says us-east-1 here
                "eventSourceARN": mapping.stream_arn,
                "dynamodb": dynamodb,
            }
        )
    return {"Records": shaped}


def _seq(record: Mapping[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


class _ShardReader:
    """GetRecords on one shard with a checkpoint: a lost iterator is re-opened after the last record read."""

    def __init__(self, streams: Any, mapping: StreamMapping) -> None:
        self.streams = streams
        self.mapping = mapping
        shards = streams.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"]["Shards"]
        self.shard_id = shards[-1]["ShardId"]  # moto keeps one shard per stream; the open one is the last
        self.mapping = replace(mapping, shard_id=self.shard_id)
        self.last_read: str | None = None
        self.iterator: str | None = self._open("LATEST")

    def _open(self, kind: str) -> str:
        extra = {"SequenceNumber": self.last_read} if kind == "AFTER_SEQUENCE_NUMBER" else {}
        return self.streams.get_shard_iterator(
            StreamArn=self.mapping.stream_arn, ShardId=self.shard_id, ShardIteratorType=kind, **extra
        )["ShardIterator"]

    def read(self) -> list[dict[str, Any]]:
        try:
            answer = self.streams.get_records(ShardIterator=self.iterator, Limit=READ_LIMIT)
        except Exception:  # an expired or evicted iterator: resume after the checkpoint
            self.iterator = self._open("AFTER_SEQUENCE_NUMBER" if self.last_read else "LATEST")
            answer = self.streams.get_records(ShardIterator=self.iterator, Limit=READ_LIMIT)
        self.iterator = answer.get("NextShardIterator") or self.iterator
        records = answer.get("Records") or []
        if records:
            self.last_read = records[-1]["dynamodb"]["SequenceNumber"]
        return records


class StreamPoller:
    """Delivers the streams of every enabled mapping of `function_name` to `consumer` until `stop()`."""

    def __init__(
        self,
        endpoint_url: str,
        region: str,
        function_name: str,
        consumer: Consumer,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        retry_delay_s: float = 0.2,
        ledger: SyncLedger | None = None,
    ) -> None:
        if not 0 < interval_s <= 1.0:
            raise ValueError("interval_s must be in (0, 1] (SPEC §7: the poller reads at least once a second)")
        self.endpoint_url, self.region, self.function_name = endpoint_url, region, function_name
        self.consumer = consumer
        self.interval_s = interval_s
        self.retry_delay_s = retry_delay_s
        self.ledger = ledger or SyncLedger()
        # While this says True the poller reads nothing (records wait in the stream, as behind a slow Lambda): set by
        # `sandbox up` to "a harness is measuring latency" (the consumer shares this process with the API; on AWS
        # it is another function, so its work must not sit in the API's measured latency).
        self.paused: Callable[[], bool] = lambda: False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def mappings(self) -> list[StreamMapping]:
        """Every mapping of the function whose State is Enabled (a disabled mapping delivers nothing, as in AWS)."""
        lam = client_for(self.endpoint_url, self.region, "lambda")
        # Listed whole and matched on the FunctionArn: moto filters FunctionName on the exact string it was given
        # (the alias ARN here), and the poller must also see a mapping on a version or on the bare function.
        listed = [
            m
            for m in lam.list_event_source_mappings()["EventSourceMappings"]
            if m.get("FunctionArn", "").split(":function:", 1)[-1].split(":", 1)[0] == self.function_name
        ]
        every = [StreamMapping.from_api(m) for m in listed if ":dynamodb:" in m.get("EventSourceArn", "")]
        enabled = {m["UUID"] for m in listed if m.get("State") == "Enabled"}
        self.ledger.set_mappings(every, enabled)
        return [m for m in every if m.uuid in enabled]

    def start(self) -> None:
        """Open every enabled mapping's shard at LATEST (before returning: later writes are all delivered)."""
        streams = client_for(self.endpoint_url, self.region, "dynamodbstreams")
        for mapping in self.mappings():
            reader = _ShardReader(streams, mapping)
            thread = threading.Thread(
                target=self._run, args=(reader,), name=f"{THREAD_PREFIX}{mapping.table}", daemon=True
            )
            self._threads.append(thread)
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 1.0) -> None:
        """Stop polling; waits at most `timeout_s` in all (a consumer call in the middle of a HubSpot backoff is
        left to its daemon thread: the sandbox's stop is bounded)."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def _run(self, reader: _ShardReader) -> None:
        pending: list[dict[str, Any]] = []
        while not self._stop.is_set():
            if self.paused():
                self._stop.wait(self.interval_s)
                continue
            try:
                pending += reader.read()
                while pending and not self._stop.is_set():
                    batch, pending = pending[: reader.mapping.batch_size], pending[reader.mapping.batch_size :]
                    self._deliver(reader.mapping, batch)
            except Exception:  # moto restarting, a bug: log and keep polling rather than die silently
                log.exception("stream poller: %s failed a round", reader.mapping.table)
            self._stop.wait(self.interval_s)

    def _deliver(self, mapping: StreamMapping, batch: list[dict[str, Any]], attempts: int = 0) -> None:
        """Invoke until the batch succeeds, retrying from the lowest failed record; bisect on a raised error;
        give up (on-failure destination) after MaximumRetryAttempts."""
        records = batch
        while records and not self._stop.is_set():
            try:
                answer = self.consumer(lambda_event(records, mapping, self.region)) or {}
                error = None
                failed = [str(f.get("itemIdentifier", "")) for f in answer.get("batchItemFailures") or []]
            except Exception as exc:  # a function error: the whole batch failed
                error, failed = type(exc).__name__, []
            self.ledger.invoked(mapping, records, failed, error)
            if error is None and not failed:
                return
            if error is not None and mapping.bisect and len(records) > 1:  # a split does not count as a retry
                half = len(records) // 2
                self._deliver(mapping, records[:half], attempts)
                self._deliver(mapping, records[half:], attempts)
                return
            if error is None:
                known = {str(_seq(r)): r for r in records}
                # An identifier that names no record of the batch fails the whole batch, as in Lambda.
                lowest = min((int(s) for s in failed if s in known), default=None)
                if lowest is not None and all(s in known for s in failed):
                    records = [r for r in records if _seq(r) >= lowest]
            attempts += 1
            if mapping.max_retries >= 0 and attempts > mapping.max_retries:
                self._give_up(mapping, records, attempts, error)
                return
            self._stop.wait(self.retry_delay_s)

    def _give_up(self, mapping: StreamMapping, records: list[dict[str, Any]], attempts: int, error: str | None) -> None:
        if mapping.destination is None:
            self.ledger.dropped(mapping, records)
            return
        message = _failure_record(mapping, records, attempts, error)
        sqs = client_for(self.endpoint_url, self.region, "sqs")
        queue_name = mapping.destination.rsplit(":", 1)[-1]
        try:
            url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))
        except Exception:  # the destination is gone: the records are lost, as Lambda loses them
            log.warning("stream poller: on-failure destination %s unavailable", queue_name)
            self.ledger.dropped(mapping, records)
            return
        self.ledger.sent_to_dlq(mapping, records)


def _failure_record(
    mapping: StreamMapping, records: list[dict[str, Any]], attempts: int, error: str | None
) -> dict[str, Any]:
    """Lambda's on-failure record for a stream batch (what lands in the DLQ: batch metadata, no record bodies)."""
    created = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]
    stamps = [c.isoformat() if isinstance(c, dt.datetime) else c for c in created]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": mapping.function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": mapping.function_arn.rsplit(":", 1)[-1],
            **({"functionError": "Unhandled"} if error else {}),
        },
        "version": "1.0",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": mapping.shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": stamps[0],
            "approximateArrivalOfLastRecord": stamps[-1],
            "batchSize": len(records),
            "streamArn": mapping.stream_arn,
        },
    }
