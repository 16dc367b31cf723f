"""A thin typed wrapper over the boto3 DynamoDB client: plain-Python items in and out, one error type out.

The low-level client (not the resource API) keeps per-call overhead small; `StoreError` hides botocore's
exception zoo from the routes, and its message names the operation only, never item data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StoreError(RuntimeError):
    """A DynamoDB call failed (after boto3's retries); the routes answer with their fallback shapes."""


def _to_python(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; our numbers are all integers (scores, attempt counts).
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_python(v) for v in value]
    return value


def to_item(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in attributes.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _to_python(_deserializer.deserialize(v)) for k, v in item.items()}


ITEM_EXISTS = "attribute_exists(PK)"
KNOWN_ITEMS_CAPACITY = 10_000  # a few MB of keys: the recent learners of one warm Lambda


@dataclass
class Update:
    """One UpdateItem: `set` overwrites, `set_once` uses if_not_exists (first values win), `add` increments."""

    set: dict[str, Any] = field(default_factory=dict)
    set_once: dict[str, Any] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)

    def merged(self, other: Update) -> Update:
        """Both updates' clauses in one (their attribute names must not overlap)."""
        return Update(
            set={**self.set, **other.set},
            set_once={**self.set_once, **other.set_once},
            add={**self.add, **other.add},
        )

    def expression(self) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets: list[str] = []
        adds: list[str] = []
        # Every name goes through a placeholder: `status` and friends are reserved words.
        for i, (attr, value) in enumerate([*self.set.items(), *self.set_once.items(), *self.add.items()]):
            names[f"#a{i}"] = attr
            values[f":v{i}"] = _serializer.serialize(value)
            if attr in self.add:
                adds.append(f"#a{i} :v{i}")
            elif attr in self.set_once:
                sets.append(f"#a{i} = if_not_exists(#a{i}, :v{i})")
            else:
                sets.append(f"#a{i} = :v{i}")
        clauses = []
        if sets:
            clauses.append("SET " + ", ".join(sets))
        if adds:
            clauses.append("ADD " + ", ".join(adds))
        return {
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


def _is_condition_cancellation(error: ClientError) -> bool:
    reasons = error.response.get("CancellationReasons") or []
    codes = {r.get("Code") for r in reasons}
    # Only a failed condition means "already done"; anything else (throttling, conflicts) is a real failure.
    return "ConditionalCheckFailed" in codes and codes <= {"ConditionalCheckFailed", "None", None}


class KnownItems:
    """A bounded, thread-safe set of item keys (the oldest forgotten first); Starlette's threadpool shares it."""

    def __init__(self, capacity: int = KNOWN_ITEMS_CAPACITY) -> None:
        self._capacity = capacity
        self._keys: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def contains(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            return key in self._keys

    def add(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._keys[key] = None
            self._keys.move_to_end(key)
            while len(self._keys) > self._capacity:
                self._keys.popitem(last=False)


class Dynamo:
    """DynamoDB calls the store needs; every failure surfaces as StoreError."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.whole_items = KnownItems()  # keys of items this process wrote with their creation clauses

    def get(self, table: str, key: Mapping[str, str]) -> dict[str, Any] | None:
        try:
            response = self.client.get_item(TableName=table, Key=to_item(key), ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"GetItem on {table} failed: {_code(exc)}") from exc
        item = response.get("Item")
        return from_item(item) if item else None

    def update(self, table: str, key: Mapping[str, str], update: Update, *, condition: str | None = None) -> bool:
        """Apply `update`; with `condition`, return False when the condition failed (nothing written)."""
        kwargs = {"TableName": table, "Key": to_item(key), **update.expression()}
        if condition:
            kwargs["ConditionExpression"] = condition
        try:
            self.client.update_item(**kwargs)
        except ClientError as exc:
            if condition and _code(exc) == "ConditionalCheckFailedException":
                return False
            raise StoreError(f"UpdateItem on {table} failed: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"UpdateItem on {table} failed: {_code(exc)}") from exc
        return True

    def upsert(self, table: str, key: Mapping[str, str], update: Update, *, creation: Update) -> None:
        """Apply `update`, with `creation`'s clauses too unless this process already wrote the item whole.

        `creation` holds what only a new item needs (attributes fixed by the key, first-write defaults). Sent again,
        those clauses change nothing in an existing item, yet in moto (the sandbox, the tests) every clause is CPU in
        its expression engine: they cost as much as the rest of the write. DynamoDB itself charges by item size, not
        clauses. An item this process wrote whole stays whole (nothing here removes an attribute), so it gets only
        `update`, on condition that it still exists; if it was deleted meanwhile, nothing is written and the whole
        write follows. Either way one write takes effect, and items never exist without their key attributes.
        """
        whole = (table, key["PK"], key["SK"])
        if self.whole_items.contains(whole) and self.update(table, key, update, condition=ITEM_EXISTS):
            return
        self.update(table, key, update.merged(creation))
        self.whole_items.add(whole)

    def put(self, table: str, attributes: Mapping[str, Any]) -> None:
        try:
            self.client.put_item(TableName=table, Item=to_item(attributes))
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"PutItem on {table} failed: {_code(exc)}") from exc

    def query(self, table: str, pk: str, sk_prefix: str | None = None) -> list[dict[str, Any]]:
        """Every item under partition `pk` (optionally SK prefix), strongly consistent, all pages."""
        condition = "PK = :pk" + (" AND begins_with(SK, :sk)" if sk_prefix else "")
        values = {":pk": {"S": pk}}
        if sk_prefix:
            values[":sk"] = {"S": sk_prefix}
        try:
            pages = self.client.get_paginator("query").paginate(
                TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, ConsistentRead=True
            )
            return [from_item(item) for page in pages for item in page.get("Items", [])]
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"Query on {table} failed: {_code(exc)}") from exc

    def transact(self, items: list[dict[str, Any]]) -> bool:
        """TransactWriteItems; False when cancelled only by a failed condition (SPEC §4.6: already done)."""
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if _code(exc) == "TransactionCanceledException" and _is_condition_cancellation(exc):
                return False
            raise StoreError(f"TransactWriteItems failed: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"TransactWriteItems failed: {_code(exc)}") from exc
        return True


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def transact_update(table: str, key: Mapping[str, str], update: Update, condition: str) -> dict[str, Any]:
    """One conditional Update element of a TransactWriteItems call."""
    return {
        "Update": {"TableName": table, "Key": to_item(key), "ConditionExpression": condition, **update.expression()}
    }


def transact_put(table: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": to_item(attributes)}}
