"""Fidelity of the stand-in with the official `hubspot-api-client`: served on loopback by uvicorn, the client's own
request building and response models (strict client-side validation) and exceptions work against it unchanged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from hhl_backend.crm import registry
from hubspot import HubSpot
from hubspot.crm.contacts import (
    ApiException,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate

from sandbox.hubspot import create_hubspot_app
from sandbox.ports import free_port
from sandbox.servers import START_TIMEOUT_S, ThreadedServer
from tests.sandbox.hubspot.standin_values import TOKEN


@dataclass(frozen=True)
class Served:
    base_url: str
    hooks: httpx.Client


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    port = free_port()
    server = ThreadedServer("hubspot-fidelity", create_hubspot_app(token=TOKEN), port)
    server.start()
    try:
        server.wait_started(time.monotonic() + START_TIMEOUT_S)
        base_url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base_url, timeout=10) as hooks:
            yield Served(base_url=base_url, hooks=hooks)
    finally:
        server.stop()


@pytest.fixture
def hubspot(served: Served) -> HubSpot:
    assert served.hooks.post("/__standin/reset").status_code == 200
    return HubSpot(access_token=TOKEN, host=served.base_url)


def by_email(email: str, properties: list[str]) -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="email", operator="EQ", value=email)])],
        properties=properties,
        limit=10,
    )


def test_create_search_get_update_through_the_official_client(hubspot: HubSpot) -> None:
    contacts = hubspot.crm.contacts
    created = contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"email": "Fidelity@Example.com", **registry.CREATE_DEFAULTS}
        )
    )
    assert created.id.isdigit() and created.archived is False
    assert created.created_at.tzinfo is not None  # parsed from ISO with ms and Z
    assert created.properties["hhl_progress_summary"] == "No progress yet"

    found = contacts.search_api.do_search(
        public_object_search_request=by_email("fidelity@EXAMPLE.com", ["hhl_total_progress", "lifecyclestage"])
    )
    assert found.total == 1
    assert found.results[0].id == created.id
    assert found.results[0].properties["lifecyclestage"] == "lead"
    assert found.results[0].properties["hhl_total_progress"] is None

    updated = contacts.basic_api.update(
        contact_id=created.id,
        simple_public_object_input=SimplePublicObjectInput(
            properties={"hhl_total_progress": "3", "hhl_last_activity": "2024-05-01", "hhl_enrolled_courses": "a;b"}
        ),
    )
    assert updated.properties["hhl_total_progress"] == "3"
    assert updated.updated_at >= created.updated_at

    read = contacts.basic_api.get_by_id(
        contact_id=created.id,
        properties=["hhl_total_progress", "hhl_last_activity", "hhl_enrolled_courses"],
        properties_with_history=["hhl_total_progress"],
    )
    assert read.properties["hhl_last_activity"] == "2024-05-01"
    assert read.properties["hhl_enrolled_courses"] == "a;b"
    assert read.properties_with_history["hhl_total_progress"][0].value == "3"
    assert read.properties_with_history["hhl_total_progress"][0].timestamp.tzinfo is not None

    page = contacts.basic_api.get_page(limit=5, properties=["email"])
    assert [contact.id for contact in page.results] == [created.id]


def test_property_reads_through_the_official_client(hubspot: HubSpot) -> None:
    core = hubspot.crm.properties.core_api
    names = {prop.name for prop in core.get_all(object_type="contacts").results}
    assert set(registry.names()) <= names and {"email", "lifecyclestage"} <= names
    milestone = core.get_by_name(object_type="contacts", property_name="hhl_total_progress")
    assert (milestone.type, milestone.group_name, milestone.form_field) == ("number", registry.MILESTONES_GROUP, False)
    groups = hubspot.crm.properties.groups_api.get_all(object_type="contacts").results
    assert registry.MILESTONES_GROUP in {group.name for group in groups}


def test_property_create_and_its_409_through_the_official_client(hubspot: HubSpot) -> None:
    properties = hubspot.crm.properties
    group = properties.groups_api.create(
        object_type="contacts", property_group_create=PropertyGroupCreate(name="hhl_fidelity", label="Fidelity")
    )
    assert group.name == "hhl_fidelity"
    body = PropertyCreate(
        name="hhl_fidelity_note", label="Note", type="string", field_type="text", group_name=group.name
    )
    created = properties.core_api.create(object_type="contacts", property_create=body)
    assert created.name == "hhl_fidelity_note" and created.hubspot_defined is False
    with pytest.raises(PropertiesApiException) as conflict:
        properties.core_api.create(object_type="contacts", property_create=body)
    assert conflict.value.status == 409


def test_a_409_surfaces_as_the_clients_api_exception(hubspot: HubSpot) -> None:
    first = hubspot.crm.contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "dup@example.com"})
    )
    with pytest.raises(ApiException) as raised:
        hubspot.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": "DUP@example.com"}
            )
        )
    assert raised.value.status == 409
    body = json.loads(raised.value.body)
    assert body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {first.id}"


@pytest.mark.parametrize(("name", "value"), [("hhl_last_activity", ""), ("hs_contact_id", "7")])
def test_a_400_surfaces_as_the_clients_api_exception(hubspot: HubSpot, name: str, value: str) -> None:
    created = hubspot.crm.contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties={"email": "v@example.com"})
    )
    with pytest.raises(ApiException) as raised:
        hubspot.crm.contacts.basic_api.update(
            contact_id=created.id, simple_public_object_input=SimplePublicObjectInput(properties={name: value})
        )
    assert raised.value.status == 400
    body = json.loads(raised.value.body)
    assert body["category"] == "VALIDATION_ERROR" and name in body["message"]


def test_404_401_and_a_planted_429_surface_as_the_clients_api_exception(hubspot: HubSpot, served: Served) -> None:
    with pytest.raises(ApiException) as missing:
        hubspot.crm.contacts.basic_api.get_by_id(contact_id="999999")
    assert missing.value.status == 404 and json.loads(missing.value.body)["category"] == "OBJECT_NOT_FOUND"

    stranger = HubSpot(access_token="pat-wrong", host=served.base_url)
    with pytest.raises(ApiException) as unauthorised:
        stranger.crm.contacts.search_api.do_search(public_object_search_request=by_email("a@example.com", []))
    assert unauthorised.value.status == 401
    assert json.loads(unauthorised.value.body)["category"] == "INVALID_AUTHENTICATION"

    fault = {"status": 429, "count": 1, "retry_after": 0, "email": "limited@example.com"}
    assert served.hooks.post("/__standin/faults", json=fault).status_code == 200
    with pytest.raises(ApiException) as limited:
        hubspot.crm.contacts.search_api.do_search(public_object_search_request=by_email("limited@example.com", []))
    assert limited.value.status == 429 and limited.value.headers["Retry-After"] == "0"
    again = hubspot.crm.contacts.search_api.do_search(public_object_search_request=by_email("limited@example.com", []))
    assert again.total == 0
    ledger = served.hooks.get("/__standin/requests", params={"email": "limited@example.com"}).json()
    assert [entry["status"] for entry in ledger] == [429, 200]


def test_concurrent_creates_of_one_email_make_one_contact(served: Served, hubspot: HubSpot) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def create_once(email: str) -> int:
        return served.hooks.post(
            "/crm/v3/objects/contacts", json={"properties": {"email": email}}, headers=headers
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(create_once, ["Race@example.com", "race@EXAMPLE.com"] * 3))
    assert statuses == [201] + [409] * 5
    assert len(served.hooks.get("/__standin/contacts").json()["results"]) == 1
    assert len(served.hooks.get("/__standin/requests", params={"email": "race@example.com"}).json()) == 6


def test_search_paging_and_archive_through_the_official_client(hubspot: HubSpot) -> None:
    contacts = hubspot.crm.contacts
    for index in range(3):
        contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": f"page{index}@example.com"}
            )
        )
    first = contacts.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(limit=2))
    assert first.total == 3 and len(first.results) == 2 and first.paging.next.after
    rest = contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(limit=2, after=first.paging.next.after)
    )
    assert len(rest.results) == 1 and rest.paging is None
    contacts.basic_api.archive(contact_id=rest.results[0].id)
    with pytest.raises(ApiException) as gone:
        contacts.basic_api.get_by_id(contact_id=rest.results[0].id)
    assert gone.value.status == 404
