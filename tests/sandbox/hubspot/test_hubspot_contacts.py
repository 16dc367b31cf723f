"""The stand-in's contacts endpoints against SPEC §7's table and HubSpot's CRM v3 shapes (in-process)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.sandbox.hubspot.standin import ISO_MS_Z, assert_error, create, search_email

BASE = "/crm/v3/objects/contacts"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", f"{BASE}/search", {"filterGroups": []}),
        ("POST", BASE, {"properties": {"email": "a@example.com"}}),
        ("GET", f"{BASE}/101", None),
        ("PATCH", f"{BASE}/101", {"properties": {}}),
        ("GET", "/crm/v3/properties/contacts", None),
        ("POST", "/crm/v3/properties/contacts/groups", {"name": "g", "label": "G"}),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
def test_every_endpoint_needs_the_bearer_token(
    anonymous: TestClient, method: str, path: str, body: dict | None, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = anonymous.request(method, path, json=body, headers=headers)
    assert_error(response, 401, "INVALID_AUTHENTICATION")


def test_create_answers_201_with_hubspots_object_shape(api: TestClient) -> None:
    created = create(api, email="Learner@Example.com", lifecyclestage="lead", hhl_progress_state="{}")
    assert created["id"].isdigit()
    assert created["archived"] is False
    assert ISO_MS_Z.match(created["createdAt"]) and ISO_MS_Z.match(created["updatedAt"])
    props = created["properties"]
    assert props["email"] == "learner@example.com"  # HubSpot keeps emails lower-cased
    assert props["hs_object_id"] == created["id"]
    assert props["createdate"] == created["createdAt"] and props["lastmodifieddate"] == created["updatedAt"]
    assert props["lifecyclestage"] == "lead" and props["hhl_progress_state"] == "{}"


def test_create_of_an_existing_email_is_409_naming_the_existing_id(api: TestClient) -> None:
    first = create(api, email="dup@example.com")
    response = api.post(BASE, json={"properties": {"email": "DUP@example.COM"}})
    body = assert_error(response, 409, "CONFLICT")
    assert body["message"] == f"Contact already exists. Existing ID: {first['id']}"


@pytest.mark.parametrize(
    ("properties", "refused"),
    [
        ({"email": "n@example.com", "hhl_total_progress": ""}, "hhl_total_progress"),
        ({"email": "n@example.com", "hhl_last_activity": ""}, "hhl_last_activity"),
        ({"email": "n@example.com", "hhl_enrolled_courses": "", "total_enrollments": "1"}, "total_enrollments"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "n@example.com", "lifecyclestage": "unicorn"}, "lifecyclestage"),
    ],
)
def test_create_validates_like_patch(api: TestClient, properties: dict, refused: str) -> None:
    body = assert_error(api.post(BASE, json={"properties": properties}), 400, "VALIDATION_ERROR")
    assert refused in body["message"]
    assert search_email(api, "n@example.com")["total"] == 0  # nothing was created


def test_search_by_email_is_case_insensitive_and_answers_requested_properties_plus_defaults(api: TestClient) -> None:
    created = create(api, email="s@example.com", firstname="Sam", hhl_total_progress="2")
    create(api, email="other@example.com")
    found = search_email(api, "S@Example.COM", properties=["hhl_total_progress", "hhl_last_activity", "nope"])
    assert found["total"] == 1
    (result,) = found["results"]
    assert result["id"] == created["id"] and result["archived"] is False
    assert set(result) == {"id", "properties", "createdAt", "updatedAt", "archived"}
    assert result["properties"] == {
        "hhl_total_progress": "2",
        "hhl_last_activity": None,  # requested and unset: null, as HubSpot answers
        "hs_object_id": created["id"],
        "createdate": created["createdAt"],
        "lastmodifieddate": created["updatedAt"],
    }


def test_search_without_properties_answers_hubspots_default_set(api: TestClient) -> None:
    create(api, email="d@example.com", firstname="Dee", hhl_total_progress="2")
    (result,) = search_email(api, "d@example.com")["results"]
    assert set(result["properties"]) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


def test_search_no_match_limit_and_paging(api: TestClient) -> None:
    assert search_email(api, "nobody@example.com") == {"total": 0, "results": []}
    for index in range(3):
        create(api, email=f"p{index}@example.com")
    page = api.post(f"{BASE}/search", json={"filterGroups": [], "limit": 2}).json()
    assert page["total"] == 3 and len(page["results"]) == 2
    rest = api.post(f"{BASE}/search", json={"limit": 2, "after": page["paging"]["next"]["after"]}).json()
    assert [r["properties"]["email"] for r in rest["results"]] == ["p2@example.com"] and "paging" not in rest


def test_search_filter_groups_are_or_of_and(api: TestClient) -> None:
    create(api, email="a@example.com", firstname="Ann", hhl_total_progress="5")
    create(api, email="b@example.com", firstname="Bob", hhl_total_progress="1")
    create(api, email="c@example.com", firstname="Cy")
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "hhl_total_progress", "operator": "GTE", "value": "2"}]},
            {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "cy"}]},
        ],
        "properties": ["email"],
        "sorts": [{"propertyName": "email", "direction": "DESCENDING"}],
    }
    found = api.post(f"{BASE}/search", json=body).json()
    assert [r["properties"]["email"] for r in found["results"]] == ["c@example.com", "a@example.com"]


@pytest.mark.parametrize(
    "body",
    [
        {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "SOUNDS_LIKE", "value": "x"}]}]},
        {"filterGroups": [{"filters": [{"propertyName": "no_such_prop", "operator": "EQ", "value": "x"}]}]},
        {"limit": 201},
        {"properties": "email"},
        [1, 2],
    ],
)
def test_search_refuses_malformed_bodies(api: TestClient, body: object) -> None:
    assert_error(api.post(f"{BASE}/search", json=body), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b""])
def test_invalid_json_is_400(api: TestClient, raw: bytes) -> None:
    response = api.post(BASE, content=raw, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "VALIDATION_ERROR")


def test_get_by_id_answers_requested_properties_or_404(api: TestClient) -> None:
    created = create(api, email="g@example.com", hhl_progress_summary="2 of 5", hhl_total_progress="2")
    one = api.get(f"{BASE}/{created['id']}", params={"properties": "hhl_total_progress,hhl_progress_summary"}).json()
    assert one["properties"] == {
        "hhl_total_progress": "2",
        "hhl_progress_summary": "2 of 5",
        "hs_object_id": created["id"],
        "createdate": created["createdAt"],
        "lastmodifieddate": created["updatedAt"],
    }
    repeated = api.get(f"{BASE}/{created['id']}?properties=hhl_total_progress&properties=email").json()
    assert repeated["properties"]["email"] == "g@example.com"
    assert api.get(f"{BASE}/g@example.com", params={"idProperty": "email"}).json()["id"] == created["id"]
    assert_error(api.get(f"{BASE}/999999"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.get(f"{BASE}/not-numeric"), 404, "OBJECT_NOT_FOUND")
    assert_error(api.get(f"{BASE}/١٠١"), 404, "OBJECT_NOT_FOUND")  # digits, but not ASCII ones
    assert_error(api.get(f"{BASE}/{created['id']}", params={"idProperty": "firstname"}), 400, "VALIDATION_ERROR")
    assert_error(api.patch(f"{BASE}/999999", json={"properties": {"firstname": "x"}}), 404, "OBJECT_NOT_FOUND")


def test_patch_normalises_values_as_hubspot_stores_them(api: TestClient) -> None:
    created = create(api, email="u@example.com")
    midnight_ms = "1700006400000"  # 2023-11-15T00:00:00Z
    values = {
        "hhl_total_progress": 3,
        "hhl_last_activity": midnight_ms,
        "hhl_progress_updated_at": "2024-02-29",
        "hhl_last_viewed_at": "2024-01-01T10:00:00+02:00",
        "hhl_enrolled_courses": "a;b",
    }
    response = api.patch(f"{BASE}/{created['id']}", json={"properties": values})
    assert response.status_code == 200, response.text
    props = response.json()["properties"]
    assert props["hhl_total_progress"] == "3"
    assert props["hhl_last_activity"] == "2023-11-15"
    assert props["hhl_progress_updated_at"] == "2024-02-29"
    assert props["hhl_last_viewed_at"] == "2024-01-01T08:00:00.000Z"
    assert props["lastmodifieddate"] >= created["properties"]["lastmodifieddate"]
    cleared = api.patch(f"{BASE}/{created['id']}", json={"properties": {"hhl_enrolled_courses": ""}})
    assert cleared.status_code == 200 and cleared.json()["properties"]["hhl_enrolled_courses"] == ""


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("hhl_total_progress", ""),
        ("hhl_total_progress", "three"),
        ("hhl_last_activity", ""),
        ("hhl_last_activity", "1700000000000"),  # epoch ms, but not at UTC midnight
        ("hhl_last_activity", "2024-02-30"),
        ("hhl_last_activity", "15/11/2023"),
        ("hhl_last_viewed_at", ""),
        ("hhl_last_viewed_at", "yesterday"),
        ("hs_contact_id", "1"),  # SPEC §7: none of these exists
        ("first_enrollment_date", "2024-01-01"),
        ("hs_object_id", "5"),  # read-only
    ],
)
def test_patch_refuses_invalid_values_naming_the_property(api: TestClient, name: str, value: str) -> None:
    created = create(api, email="v@example.com")
    response = api.patch(f"{BASE}/{created['id']}", json={"properties": {name: value, "firstname": "Val"}})
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert f'"name":"{name}"' in body["message"]
    assert body["errors"][0]["context"]["propertyName"] == [name]
    after = api.get(f"{BASE}/{created['id']}", params={"properties": "firstname"}).json()
    assert after["properties"]["firstname"] is None  # a refused PATCH changes nothing


def test_patch_email_to_anothers_is_409(api: TestClient) -> None:
    create(api, email="taken@example.com")
    mine = create(api, email="mine@example.com")
    response = api.patch(f"{BASE}/{mine['id']}", json={"properties": {"email": "Taken@example.com"}})
    assert_error(response, 409, "CONFLICT")
    moved = api.patch(f"{BASE}/{mine['id']}", json={"properties": {"email": "moved@example.com"}})
    assert moved.status_code == 200
    assert search_email(api, "mine@example.com")["total"] == 0
    assert search_email(api, "moved@example.com")["results"][0]["id"] == mine["id"]


def test_an_unchanged_patch_keeps_lastmodifieddate_and_history(api: TestClient, clock) -> None:
    created = create(api, email="same@example.com", hhl_total_progress="1")
    clock.offset_s += 5
    again = api.patch(f"{BASE}/{created['id']}", json={"properties": {"hhl_total_progress": "1"}}).json()
    assert again["updatedAt"] == created["updatedAt"]
    changed = api.patch(f"{BASE}/{created['id']}", json={"properties": {"hhl_total_progress": "2"}}).json()
    assert changed["updatedAt"] > created["updatedAt"]
    history = api.get(f"{BASE}/{created['id']}", params={"propertiesWithHistory": "hhl_total_progress"}).json()
    assert [h["value"] for h in history["propertiesWithHistory"]["hhl_total_progress"]] == ["2", "1"]
    assert all(ISO_MS_Z.match(h["timestamp"]) for h in history["propertiesWithHistory"]["hhl_total_progress"])


def test_list_and_archive(api: TestClient) -> None:
    created = create(api, email="gone@example.com")
    listed = api.get(BASE, params={"limit": 10, "properties": "email"}).json()
    assert [r["id"] for r in listed["results"]] == [created["id"]]
    assert api.delete(f"{BASE}/{created['id']}").status_code == 204
    assert_error(api.get(f"{BASE}/{created['id']}"), 404, "OBJECT_NOT_FOUND")
    assert search_email(api, "gone@example.com")["total"] == 0
    assert create(api, email="gone@example.com")["id"] != created["id"]  # ids are never reused
