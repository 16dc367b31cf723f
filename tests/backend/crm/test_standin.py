"""The consumer against the sandbox's HubSpot stand-in (sandbox.hubspot, through starlette's TestClient as the
transport): the contact equals a recomputation, sets never shrink, 2 × 429 + 1 × 500 still sync without an early
request, and each `crmsync.*` fault is visible where its check looks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hhl_backend.crm.handler import CrmConsumer, create_consumer
from hhl_backend.crm.hubspot import RetryPolicy
from hhl_backend.crm.projection import project
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.store import Store
from starlette.testclient import TestClient

from sandbox.backend_faults.crmsync import crm_seams_for_faults
from sandbox.hubspot import create_hubspot_app
from sandbox.hubspot.context import Clock
from tests.backend.crm.fake_hubspot import TOKEN
from tests.backend.crm.streams import Streams, event_of
from tests.backend.crm.values import EMAIL, HUBSPOT, SUB

COURSE = "course-authoring-101"
LOOPBACK = ("127.0.0.1", 50000)  # the stand-in's /__standin/ hooks answer loopback peers only


class StandIn:
    def __init__(self) -> None:
        self.clock = Clock()
        self.http = TestClient(create_hubspot_app(token=TOKEN, clock=self.clock), base_url=HUBSPOT, client=LOOPBACK)

    def sleep(self, seconds: float) -> None:
        self.clock.offset_s += seconds  # the stand-in judges Retry-After on this clock: time passes, instantly

    def contacts(self) -> list[dict[str, Any]]:
        return self.http.get("/__standin/contacts").json()["results"]

    def contact(self) -> dict[str, Any]:
        [contact] = self.contacts()
        return contact["properties"]

    def fault(self, **body: Any) -> None:
        self.http.post("/__standin/faults", json={**body, "email": EMAIL}).raise_for_status()

    def ledger(self) -> list[dict[str, Any]]:
        return self.http.get("/__standin/requests", params={"email": EMAIL}).json()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    stand_in = StandIn()
    with stand_in.http:
        yield stand_in


@pytest.fixture
def run(crm_settings: Any, standin: StandIn, learner: str, streams: Streams, ddb: Any) -> Any:
    """Deliver every stream record so far to a consumer with the given faults; returns its partial response."""

    def deliver(*faults: str) -> dict[str, Any]:
        base = CrmSeams(retry=RetryPolicy(sleep=standin.sleep, jitter=lambda ceiling: ceiling))
        seams = crm_seams_for_faults(frozenset(faults), base)
        consumer: CrmConsumer = create_consumer(crm_settings, seams=seams, token=TOKEN, http=standin.http)
        return consumer(event_of(streams.drain()))

    return deliver


def _activity(store: Store) -> None:
    store.enroll_course(SUB, COURSE, pathway_slug=None, source="test")
    store.record_module_event(SUB, module_slug="authoring-basics", course_slug=None, pathway_slug=None, completed=True)
    store.record_page_view(SUB, "module", "authoring-basics")


def test_the_contact_equals_a_recomputation(run: Any, store: Store, standin: StandIn) -> None:
    _activity(store)
    assert run() == {"batchItemFailures": []}
    contact = standin.contact()
    expected = project(store, SUB)
    for name, value in expected.values.items():
        if name == "hhl_progress_state":
            assert json.loads(contact[name]) == json.loads(value)
        else:
            assert str(contact[name]) == value, name
    assert contact["hhl_enrolled_courses"] == COURSE
    assert contact["hhl_total_progress"] in ("1", 1)
    assert store.get_user_profile(SUB)["hubspotContactId"] == standin.contacts()[0]["id"]


def test_sets_never_shrink(run: Any, store: Store, standin: StandIn) -> None:
    standin.http.post("/__standin/contacts", json={"properties": {"email": EMAIL, "hhl_enrolled_courses": "a;b"}})
    store.enroll_course(SUB, COURSE, pathway_slug=None, source=None)
    assert run() == {"batchItemFailures": []}
    assert standin.contact()["hhl_enrolled_courses"] == f"a;b;{COURSE}"


def test_shrink_sets_fault_overwrites(run: Any, store: Store, standin: StandIn) -> None:
    standin.http.post("/__standin/contacts", json={"properties": {"email": EMAIL, "hhl_enrolled_courses": "a;b"}})
    store.enroll_course(SUB, COURSE, pathway_slug=None, source=None)
    assert run("crmsync.shrink_sets") == {"batchItemFailures": []}
    assert standin.contact()["hhl_enrolled_courses"] == COURSE


def test_429s_then_a_500_still_sync_one_contact_never_early(run: Any, store: Store, standin: StandIn) -> None:
    standin.fault(status=429, count=2, retry_after=2)
    standin.fault(status=500, count=1)
    _activity(store)
    assert run() == {"batchItemFailures": []}
    assert len(standin.contacts()) == 1
    ledger = standin.ledger()
    assert [e["status"] for e in ledger][:2] == [429, 429]
    assert 500 in [e["status"] for e in ledger]
    assert not [e for e in ledger if e["early"]]


def test_ignore_retry_after_fault_comes_back_early(run: Any, store: Store, standin: StandIn) -> None:
    standin.fault(status=429, count=2, retry_after=3)
    _activity(store)
    run("crmsync.ignore_retry_after")
    assert [e for e in standin.ledger() if e["early"]]


def test_no_5xx_retry_fault_fails_the_users_records(run: Any, store: Store, standin: StandIn) -> None:
    standin.fault(status=500, count=1)
    _activity(store)
    assert run("crmsync.no_5xx_retry")["batchItemFailures"]
    assert standin.contacts() == []


@pytest.mark.parametrize("fault", ["crmsync.empty_milestones_on_create", "crmsync.unregistered_property"])
def test_payload_faults_are_answered_400(run: Any, store: Store, standin: StandIn, fault: str) -> None:
    _activity(store)
    assert run(fault)["batchItemFailures"]
    statuses = [e["status"] for e in standin.ledger()]
    assert 400 in statuses
