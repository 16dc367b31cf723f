"""moto's DynamoDB Streams read as Lambda's event source mapping delivers them: the consumer's tests and benchmark."""

from __future__ import annotations

from typing import Any

import boto3

REGION = "us-west-2"
# botocore's account-based streams endpoint (<account>.streams-ddb...) is not one moto routes: name the classic one,
# which in-process moto intercepts.
STREAMS_ENDPOINT = f"https://streams.dynamodb.{REGION}.amazonaws.com"


class Streams:
    """Lambda-shaped records of every write since the last `drain()`, read from moto's four table streams."""

    def __init__(self, ddb: Any, tables: tuple[str, ...]) -> None:
        self.ddb = ddb
        self.client = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=STREAMS_ENDPOINT)
        self.iterators: dict[str, str] = {}
        for table in tables:
            arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
            shard = self.client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            self.iterators[arn] = self.client.get_shard_iterator(
                StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]

    def drain(self) -> list[dict[str, Any]]:
        records = []
        for arn, iterator in self.iterators.items():
            page = self.client.get_records(ShardIterator=iterator)
            self.iterators[arn] = page["NextShardIterator"]
            for record in page["Records"]:
                records.append(lambda_record(record, arn))
        return records


def lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    """What Lambda's event source mapping delivers: the stream record plus eventSourceARN, JSON-safe."""
    shaped = {k: v for k, v in record.items() if k != "dynamodb"}
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**shaped, "eventSourceARN": arn, "dynamodb": dynamodb}


def event_of(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": records}
