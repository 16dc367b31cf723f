"""50 concurrent events of one learner (threads writing through the store), their stream records delivered in
batches of 25 by four concurrent workers (one per table stream, as Lambda's four mappings would): the contact ends
equal to a recomputation from DynamoDB, and there is exactly one contact."""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hhl_backend.crm.handler import CrmConsumer
from hhl_backend.crm.projection import project
from hhl_backend.store import Store

from tests.backend.crm.fake_hubspot import FakeHubSpot
from tests.backend.crm.streams import Streams, event_of
from tests.backend.crm.values import SUB

WRITERS = 50
BATCH = 25
COURSES = ("network-like-hyperscaler-foundations", "course-authoring-101")
PATHWAY = "network-like-hyperscaler"
MAX_DRAINS = 50


def events(store: Store) -> list[Any]:
    """50 writes: module starts/completions over two courses, enrollments and page views, shuffled."""
    modules = [m for c in COURSES for m in store.catalog.courses[c].module_slugs]
    calls: list[Any] = []
    for module in modules:
        for done in (False, True):
            calls.append(
                lambda m=module, d=done: store.record_module_event(
                    SUB, module_slug=m, course_slug=None, pathway_slug=PATHWAY if "fabric" in m else None, completed=d
                )
            )
    calls.append(lambda: store.enroll_pathway(SUB, PATHWAY, source="catalog"))
    calls += [lambda m=m: store.record_page_view(SUB, "module", m) for m in modules]
    calls = (calls * 3)[:WRITERS]
    random.Random(5).shuffle(calls)
    return calls


def write_concurrently(calls: list[Any]) -> None:
    start = threading.Barrier(len(calls), timeout=30)

    def run(call: Any) -> None:
        start.wait()
        call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for future in [pool.submit(run, c) for c in calls]:
            future.result(timeout=60)


def deliver(consumer: CrmConsumer, records: list[dict[str, Any]], pool: ThreadPoolExecutor) -> list[Any]:
    by_stream: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_stream.setdefault(record["eventSourceARN"], []).append(record)

    def mapping(stream: list[dict[str, Any]]) -> list[Any]:
        # One mapping delivers its stream's batches in order, retrying from the first failed record.
        failures = []
        for i in range(0, len(stream), BATCH):
            failures += consumer(event_of(stream[i : i + BATCH]))["batchItemFailures"]
        return failures

    return [f for future in [pool.submit(mapping, s) for s in by_stream.values()] for f in future.result(60)]


@pytest.mark.parametrize("interleaved", [False, True], ids=["after_the_writes", "during_the_writes"])
def test_fifty_concurrent_events_leave_the_contact_equal_to_a_recomputation(
    atomic_moto: None,
    consumer: CrmConsumer,
    learner: str,
    store: Store,
    streams: Streams,
    hubspot: FakeHubSpot,
    interleaved: bool,
) -> None:
    calls = events(store)
    with ThreadPoolExecutor(max_workers=4) as pool:
        if interleaved:
            writers = threading.Thread(target=write_concurrently, args=(calls,))
            writers.start()
            while writers.is_alive():
                assert deliver(consumer, streams.drain(), pool) == []
            writers.join()
        else:
            write_concurrently(calls)
        for _ in range(MAX_DRAINS):  # the rest, then the echo of our own contact-id write (ignored)
            records = streams.drain()
            if not records:
                break
            assert deliver(consumer, records, pool) == []
        else:
            pytest.fail("the streams never ran dry")

    [contact] = hubspot.contacts.values()
    expected = project(store, SUB)
    assert json.loads(contact.pop("hhl_progress_state")) == json.loads(expected.values["hhl_progress_state"])
    for name, value in expected.values.items():
        if name != "hhl_progress_state":
            assert contact[name] == value, name
    for name, members in expected.sets.items():
        assert contact[name] == ";".join(sorted(members)), name
    modules = sum(len(store.catalog.courses[c].module_slugs) for c in COURSES)
    assert contact["hhl_total_progress"] == str(modules)  # nothing lost by the store either
