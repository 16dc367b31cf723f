"""`Dynamo.upsert`: an item's key-fixed attributes travel only on the write that creates it, and items stay whole.

A re-send to an item this process wrote whole is one conditional UpdateItem without the creation clauses; an item
deleted meanwhile fails that condition and is written whole again (moto in-process).
"""

from __future__ import annotations

from typing import Any

import pytest
from hhl_backend.config import Settings
from hhl_backend.store import Store
from hhl_backend.store.dynamo import ITEM_EXISTS, KnownItems

from tests.backend.data.store_fixtures import item

SUB = "learner-1"
MODULE = "fabric-operations-welcome"
COURSE = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
PROGRESS_KEY = (f"USER#{SUB}#COURSE#{COURSE}", f"MODULE#{MODULE}")
COURSE_KEY = (f"USER#{SUB}", f"ENROLLMENT#{COURSE}")
KEY_FIXED = {"userId", "courseSlug", "moduleId", "entityType", "GSI1PK", "GSI1SK"}


@pytest.fixture
def update_calls(store: Store) -> list[dict[str, Any]]:
    """The parameters of every UpdateItem the store's client sends from now on."""
    calls: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    store.db.client.meta.events.register("provide-client-params.dynamodb.UpdateItem", capture)
    return calls


def started(store: Store) -> None:
    store.record_module_event(SUB, module_slug=MODULE, course_slug=None, pathway_slug=PATHWAY, completed=False)


def written_attributes(call: dict[str, Any]) -> set[str]:
    return set(call["ExpressionAttributeNames"].values())


def whole_items(ddb: Any, settings: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    row = item(ddb, settings.progress_table, *PROGRESS_KEY)
    course = item(ddb, settings.enrollments_table, *COURSE_KEY)
    assert row is not None and course is not None
    assert {"userId", "courseSlug", "moduleId", "started", "completed", "startedAt", "updatedAt"} <= set(row)
    assert {"entityType", "userId", "courseSlug", "GSI1PK", "GSI1SK", "enrolledAt", "status"} <= set(course)
    return row, course


def test_a_resend_leaves_out_the_creation_clauses_and_changes_only_updated_at(
    store: Store, ddb: Any, settings: Settings, update_calls: list[dict[str, Any]]
) -> None:
    times = iter(["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"])
    store.clock = lambda: next(times)
    started(store)
    first = whole_items(ddb, settings)
    creating = update_calls[:]
    update_calls.clear()
    started(store)
    again = whole_items(ddb, settings)
    # First event: progress, course, pathway, activity: each one unconditional write with the creation clauses.
    assert len(creating) == 4 and not any("ConditionExpression" in c for c in creating)
    assert KEY_FIXED & written_attributes(creating[0]) and KEY_FIXED & written_attributes(creating[1])
    # The re-send: as many calls, the three known items conditional and without key-fixed attributes.
    assert len(update_calls) == 4
    assert [c.get("ConditionExpression") for c in update_calls] == [ITEM_EXISTS, ITEM_EXISTS, ITEM_EXISTS, None]
    assert not any(KEY_FIXED & written_attributes(c) for c in update_calls[:3])
    for before, after in zip(first, again, strict=True):
        assert after["updatedAt"] == "2026-01-02T00:00:00.000Z"
        assert {k: v for k, v in after.items() if k != "updatedAt"} == {
            k: v for k, v in before.items() if k != "updatedAt"
        }


def test_an_item_deleted_after_its_creation_is_written_whole_again(
    store: Store, ddb: Any, settings: Settings, update_calls: list[dict[str, Any]]
) -> None:
    started(store)
    for table, (pk, sk) in ((settings.progress_table, PROGRESS_KEY), (settings.enrollments_table, COURSE_KEY)):
        ddb.delete_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}})
    update_calls.clear()
    started(store)
    row, course = whole_items(ddb, settings)
    assert row["started"] is True and row["completed"] is False
    assert course["status"] == "active" and course["enrollmentSource"] == "module_event"
    # Progress and course: the failed conditional write, then the whole one; pathway and activity: one each.
    assert [c.get("ConditionExpression") for c in update_calls] == [
        ITEM_EXISTS,
        None,
        ITEM_EXISTS,
        None,
        ITEM_EXISTS,
        None,
    ]


def test_a_completion_on_a_started_row_keeps_the_first_timestamps(store: Store, ddb: Any, settings: Settings) -> None:
    times = iter(["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"])
    store.clock = lambda: next(times)
    started(store)
    store.record_module_event(SUB, module_slug=MODULE, course_slug=None, pathway_slug=None, completed=True)
    started(store)
    row, course = whole_items(ddb, settings)
    assert (row["started"], row["completed"]) == (True, True)
    assert (row["startedAt"], row["completedAt"]) == ("2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z")
    assert course["enrolledAt"] == "2026-01-01T00:00:00.000Z" and course["pathwaySlug"] == PATHWAY


def test_known_items_forget_the_oldest_beyond_capacity() -> None:
    known = KnownItems(capacity=2)
    for sk in ("a", "b", "c"):
        known.add(("t", "pk", sk))
    assert not known.contains(("t", "pk", "a"))
    assert known.contains(("t", "pk", "b")) and known.contains(("t", "pk", "c"))
