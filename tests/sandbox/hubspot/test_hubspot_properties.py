"""The stand-in's contact property endpoints: seeded from the registry and HubSpot's defaults, create, 404/409."""

from __future__ import annotations

import pytest
from hhl_backend.crm import registry
from starlette.testclient import TestClient

from tests.sandbox.hubspot.standin import assert_error

BASE = "/crm/v3/properties/contacts"
HUBSPOT_DEFAULTS = (
    "email",
    "firstname",
    "lastname",
    "lifecyclestage",
    "hs_object_id",
    "createdate",
    "lastmodifieddate",
)


def new_property(name: str) -> dict:
    return {
        "name": name,
        "label": name.title(),
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }


def test_list_holds_every_registry_property_and_hubspots_defaults(api: TestClient) -> None:
    response = api.get(BASE)
    assert response.status_code == 200
    by_name = {prop["name"]: prop for prop in response.json()["results"]}
    assert set(HUBSPOT_DEFAULTS) <= set(by_name)
    for prop in registry.PROPERTIES:
        seeded = by_name[prop.name]
        expected = prop.definition()
        assert {key: seeded[key] for key in expected} == expected
        assert seeded["hubspotDefined"] is False and seeded["archived"] is False
    assert by_name["email"]["hubspotDefined"] is True
    assert by_name["hs_object_id"]["modificationMetadata"]["readOnlyValue"] is True
    assert not {"first_enrollment_date", "total_enrollments", "courses_completed", "hs_contact_id"} & set(by_name)


def test_get_by_name_or_404(api: TestClient) -> None:
    found = api.get(f"{BASE}/hhl_total_progress").json()
    assert found["type"] == "number" and found["groupName"] == registry.MILESTONES_GROUP
    assert found["formField"] is False
    body = assert_error(api.get(f"{BASE}/total_enrollments"), 404, "OBJECT_NOT_FOUND")
    assert "total_enrollments" in body["message"]


def test_create_is_201_then_409_and_the_new_property_is_writable(api: TestClient) -> None:
    created = api.post(BASE, json=new_property("hhl_extra"))
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "hhl_extra" and created.json()["createdAt"].endswith("Z")
    assert api.get(f"{BASE}/hhl_extra").status_code == 200
    again = assert_error(api.post(BASE, json=new_property("hhl_extra")), 409, "OBJECT_ALREADY_EXISTS")
    assert "hhl_extra" in again["message"]
    seeded = assert_error(api.post(BASE, json=registry.PROPERTIES[0].definition()), 409, "OBJECT_ALREADY_EXISTS")
    assert registry.PROPERTIES[0].name in seeded["message"]
    contact = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "p@example.com", "hhl_extra": "x"}})
    assert contact.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "label": "X", "type": "string", "fieldType": "text"},  # no groupName
        {"name": "Bad Name", "label": "X", "type": "string", "fieldType": "text", "groupName": "contactinformation"},
        {"name": "x", "label": "X", "type": "colour", "fieldType": "text", "groupName": "contactinformation"},
        {"name": "x", "label": "X", "type": "number", "fieldType": "textarea", "groupName": "contactinformation"},
        {"name": "x", "label": "X", "type": "string", "fieldType": "text", "groupName": "no_such_group"},
        {"name": "x", "label": "X", "type": "enumeration", "fieldType": "select", "groupName": "contactinformation"},
    ],
)
def test_create_refuses_invalid_definitions(api: TestClient, body: dict) -> None:
    assert_error(api.post(BASE, json=body), 400, "VALIDATION_ERROR")
    assert api.get(f"{BASE}/x").status_code == 404


def test_groups_seeded_created_and_409(api: TestClient) -> None:
    groups = {group["name"]: group for group in api.get(f"{BASE}/groups").json()["results"]}
    assert groups[registry.MILESTONES_GROUP]["label"] == registry.MILESTONES_GROUP_LABEL
    assert "contactinformation" in groups
    milestone = {"name": registry.MILESTONES_GROUP, "label": registry.MILESTONES_GROUP_LABEL}
    assert_error(api.post(f"{BASE}/groups", json=milestone), 409, "OBJECT_ALREADY_EXISTS")
    created = api.post(f"{BASE}/groups", json={"name": "hhl_other", "label": "Other", "displayOrder": 3})
    assert created.status_code == 201
    assert created.json() == {"name": "hhl_other", "label": "Other", "displayOrder": 3, "archived": False}
    assert api.get(f"{BASE}/groups/hhl_other").json()["label"] == "Other"
    assert_error(api.get(f"{BASE}/groups/none_such"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.post(f"{BASE}/groups", json={"name": "only_name"}), 400, "VALIDATION_ERROR")


def test_reset_without_the_registry_is_a_portal_before_provisioning(api: TestClient) -> None:
    assert api.post("/__standin/reset", json={"registry": False}).status_code == 200
    names = {prop["name"] for prop in api.get(BASE).json()["results"]}
    assert set(HUBSPOT_DEFAULTS) <= names and not set(registry.names()) & names
    group = {"name": registry.MILESTONES_GROUP, "label": registry.MILESTONES_GROUP_LABEL}
    assert api.post(f"{BASE}/groups", json=group).status_code == 201
    for prop in registry.PROPERTIES:  # what the provisioning command does
        assert api.post(BASE, json=prop.definition()).status_code == 201
        assert api.post(BASE, json=prop.definition()).status_code == 409
    api.post("/__standin/reset")
    assert set(registry.names()) <= {prop["name"] for prop in api.get(BASE).json()["results"]}
