"""moto keeps the streams of mapped tables for the sandbox's poller and never tries to run the consumer itself.

Unpatched, moto 5.2 invokes a mapped function on every table write (through Docker, absent here), logs an error,
writes a log stream into the function's log group and then empties the stream shard (see moto_server.py).
"""

from __future__ import annotations

import statistics
import time
import uuid

from sandbox.aws.provision import Provisioned


def _put_ms(ddb, table: str) -> float:
    started = time.perf_counter()
    ddb.put_item(TableName=table, Item={"PK": {"S": f"USER#{uuid.uuid4().hex}"}, "SK": {"S": "PROFILE"}})
    return (time.perf_counter() - started) * 1000


def _records(aws, stream_arn: str) -> list[dict]:
    streams = aws("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]


def test_writes_to_a_mapped_table_stay_in_its_stream(aws, healthy: Provisioned) -> None:
    assert len(healthy.crm_mappings) == 4  # every table stream is mapped to the consumer
    ddb = aws("dynamodb")
    before = len(_records(aws, healthy.stream_arns["users"]))
    for _ in range(5):
        _put_ms(ddb, healthy.tables["users"])
    records = _records(aws, healthy.stream_arns["users"])
    assert len(records) == before + 5  # nothing was consumed (and emptied) by moto
    assert {r["eventName"] for r in records[-5:]} == {"INSERT"}
    # moto never tried to run the function: no "error running docker" log stream in the consumer's log group.
    group = f"/aws/lambda/{healthy.crm_function_name}"
    assert aws("logs").describe_log_streams(logGroupName=group)["logStreams"] == []


def test_a_mapping_does_not_slow_writes(aws, healthy: Provisioned) -> None:
    """Interleaved puts on a mapped table and on an unmapped one with the same schema cost the same (unpatched,
    the mapped table's puts took ≈2.5× as long: 14 ms against 5.7 ms each on this machine)."""
    ddb = aws("dynamodb")
    plain = f"unmapped-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=plain,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    mapped_ms, plain_ms = [], []
    for _ in range(25):
        mapped_ms.append(_put_ms(ddb, healthy.tables["progress"]))
        plain_ms.append(_put_ms(ddb, plain))
    # Medians of interleaved calls, with slack for a shared machine; the unpatched cost is far outside it.
    assert statistics.median(mapped_ms) < 1.5 * statistics.median(plain_ms) + 2.0
