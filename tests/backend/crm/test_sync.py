"""crm/sync.py: contact resolution (stored id, search, create, 409), the never-shrink union, the kept total, the
if_not_exists contact id, and replays that leave the contact unchanged."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hhl_backend.crm.handler import CrmConsumer
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.crm.sync import ContactSync, SyncError
from hhl_backend.store import Store

from tests.backend.crm.fake_hubspot import FakeHubSpot
from tests.backend.crm.streams import Streams, event_of
from tests.backend.crm.values import EMAIL, SUB

COURSE = "course-authoring-101"


def sync_of(consumer: CrmConsumer) -> ContactSync:
    return consumer.sync


def test_existing_contact_found_by_email_sets_are_unioned(
    consumer: CrmConsumer, learner: str, store: Store, hubspot: FakeHubSpot
) -> None:
    contact_id = hubspot.seed(
        {"email": EMAIL.lower(), "hhl_enrolled_courses": "zeta;alpha", "hhl_completed_courses": "alpha"}
    )
    store.enroll_course(SUB, COURSE, pathway_slug=None, source=None)
    for module in ("authoring-basics", "authoring-media-and-metadata"):
        store.record_module_event(SUB, module_slug=module, course_slug=None, pathway_slug=None, completed=True)
    result = sync_of(consumer).sync_user(SUB)
    assert (result.contact_id, result.created) == (contact_id, False)
    contact = hubspot.contacts[contact_id]
    assert contact["hhl_enrolled_courses"] == f"alpha;{COURSE};zeta"
    assert contact["hhl_completed_courses"] == f"alpha;{COURSE}"
    assert len(hubspot.contacts) == 1


def test_the_stored_contact_id_is_used_without_a_search(
    consumer: CrmConsumer, learner: str, store: Store, hubspot: FakeHubSpot
) -> None:
    sync_of(consumer).sync_user(SUB)
    hubspot.requests.clear()
    sync_of(consumer).sync_user(SUB)
    assert [method for method, _ in hubspot.requests] == ["GET", "PATCH"]


def test_a_deleted_contact_is_found_again_and_its_new_id_stored(
    consumer: CrmConsumer, learner: str, store: Store, hubspot: FakeHubSpot
) -> None:
    first = sync_of(consumer).sync_user(SUB).contact_id
    del hubspot.contacts[first]
    second = sync_of(consumer).sync_user(SUB)
    assert second.created and second.contact_id != first
    assert store.get_user_profile(SUB)["hubspotContactId"] == second.contact_id


def test_409_on_create_adopts_the_existing_contact(
    consumer: CrmConsumer, learner: str, store: Store, hubspot: FakeHubSpot
) -> None:
    existing = hubspot.seed({"email": EMAIL.lower()})
    hubspot.search_lags = True  # HubSpot's search index has not seen the contact yet: create answers 409
    result = sync_of(consumer).sync_user(SUB)
    assert (result.contact_id, result.created) == (existing, False)
    assert len(hubspot.contacts) == 1
    assert ("POST", "/crm/v3/objects/contacts") in hubspot.requests


def test_create_sends_the_spec_payload_and_no_empty_milestones(
    consumer: CrmConsumer, learner: str, hubspot: FakeHubSpot, monkeypatch: Any
) -> None:
    sent: list[dict[str, str]] = []
    original = consumer.sync.client.create_contact
    monkeypatch.setattr(
        consumer.sync.client, "create_contact", lambda props, budget=None: sent.append(props) or original(props, budget)
    )
    sync_of(consumer).sync_user(SUB)
    assert sent == [
        {
            "email": EMAIL,
            "lifecyclestage": "lead",
            "hhl_progress_state": "{}",
            "hhl_progress_summary": "No progress yet",
        }
    ]


def test_an_empty_state_keeps_the_existing_total(consumer: CrmConsumer, learner: str, hubspot: FakeHubSpot) -> None:
    contact_id = hubspot.seed({"email": EMAIL.lower(), "hhl_total_progress": "7"})
    sync_of(consumer).sync_user(SUB)
    contact = hubspot.contacts[contact_id]
    assert contact["hhl_total_progress"] == "7"
    assert contact["hhl_progress_state"] == "{}" and contact["hhl_progress_summary"] == "No progress yet"
    assert "hhl_last_activity" not in contact  # unknown dates are omitted, never ""


def test_the_contact_id_is_written_only_if_absent(consumer: CrmConsumer, learner: str, store: Store) -> None:
    sync = sync_of(consumer)
    assert sync._remember(SUB, "111", stale=None) is True
    assert sync._remember(SUB, "222", stale=None) is False  # present: the conditional write writes nothing
    assert store.get_user_profile(SUB)["hubspotContactId"] == "111"
    assert sync._remember("nobody", "333", stale=None) is False  # no PROFILE: no skeleton item is created
    assert store.get_user_profile("nobody") is None


def test_a_user_without_email_is_skipped(consumer: CrmConsumer, store: Store, hubspot: FakeHubSpot) -> None:
    store.enroll_course("no-profile", COURSE, pathway_slug=None, source=None)
    assert sync_of(consumer).sync_user("no-profile").skipped == "no_email"
    assert hubspot.requests == []


def test_replaying_the_same_records_leaves_the_contact_unchanged(
    consumer: CrmConsumer, learner: str, store: Store, streams: Streams, hubspot: FakeHubSpot
) -> None:
    store.enroll_course(SUB, COURSE, pathway_slug="getting-started", source="test")
    store.record_module_event(SUB, module_slug="authoring-basics", course_slug=None, pathway_slug=None, completed=True)
    store.record_page_view(SUB, "course", COURSE)
    records = streams.drain()
    assert consumer(event_of(records)) == {"batchItemFailures": []}
    [(contact_id, first)] = [(k, dict(v)) for k, v in hubspot.contacts.items()]
    profile = store.get_user_profile(SUB)

    assert consumer(event_of(records)) == {"batchItemFailures": []}  # Lambda redelivers the same batch
    assert consumer(event_of(records[::-1])) == {"batchItemFailures": []}  # and again, in another order
    assert hubspot.contacts == {contact_id: first}
    assert store.get_user_profile(SUB) == profile
    bodies = [r for r in hubspot.requests if r[0] == "PATCH"]
    assert len(bodies) == 3 and len(hubspot.contacts) == 1


def test_a_failed_patch_keeps_the_resolved_contact_id(
    make_consumer: Any, learner: str, store: Store, hubspot: FakeHubSpot, seams: CrmSeams
) -> None:
    refused = dataclasses.replace(seams, outgoing_properties=lambda values: {**values, "not_a_property": "1"})
    with pytest.raises(SyncError, match="update failed: 400 VALIDATION_ERROR"):
        make_consumer(refused).sync.sync_user(SUB)
    [contact_id] = hubspot.contacts
    assert store.get_user_profile(SUB)["hubspotContactId"] == contact_id
    hubspot.requests.clear()
    make_consumer().sync.sync_user(SUB)
    assert [method for method, _ in hubspot.requests] == ["GET", "PATCH"]  # no second search or create
