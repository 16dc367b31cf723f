"""The stand-in's loopback-only `/__standin/*` hooks: reset, dump, seed, faults (global and per contact), ledger."""

from __future__ import annotations

import time

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from sandbox.hubspot import Clock, HubSpotContext, create_hubspot_app
from sandbox.hubspot.faults import RetryWindow
from tests.sandbox.hubspot.standin import assert_error, create, search_email
from tests.sandbox.hubspot.standin_values import LOOPBACK

CONTACTS = "/crm/v3/objects/contacts"


def plant(api: TestClient, **fault: object) -> dict:
    response = api.post("/__standin/faults", json=fault)
    assert response.status_code == 200, response.text
    return response.json()


def ledger(api: TestClient, email: str) -> list[dict]:
    response = api.get("/__standin/requests", params={"email": email})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/__standin/reset"),
        ("GET", "/__standin/contacts"),
        ("POST", "/__standin/contacts"),
        ("GET", "/__standin/faults"),
        ("POST", "/__standin/faults"),
        ("DELETE", "/__standin/faults"),
        ("GET", "/__standin/requests"),
    ],
)
def test_hooks_are_loopback_only(app: Starlette, method: str, path: str) -> None:
    with TestClient(app, client=("192.0.2.10", 40000)) as remote:
        response = remote.request(method, path, json={})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_seed_dump_and_reset(api: TestClient) -> None:
    seeded = api.post("/__standin/contacts", json={"properties": {"email": "Seed@Example.com", "legacy_prop": "x"}})
    assert seeded.status_code == 201
    contact_id = seeded.json()["id"]
    assert api.post("/__standin/contacts", json={"properties": {"email": "seed@example.com"}}).status_code == 409
    assert api.post("/__standin/contacts", json={"props": {}}).status_code == 400
    patched = api.patch(f"{CONTACTS}/{contact_id}", json={"properties": {"hhl_total_progress": "4"}})
    assert patched.status_code == 200
    (dumped,) = api.get("/__standin/contacts", params={"email": "SEED@example.com"}).json()["results"]
    assert dumped["properties"]["legacy_prop"] == "x"  # seeding skips validation
    assert dumped["properties"]["hhl_total_progress"] == "4" and dumped["properties"]["hs_object_id"] == contact_id
    history = api.get("/__standin/contacts", params={"history": "true"}).json()["results"][0]
    assert history["propertiesWithHistory"]["hhl_total_progress"][0]["value"] == "4"
    assert ledger(api, "seed@example.com")[0]["method"] == "PATCH"  # the seed itself is not in the ledger
    assert api.get("/__standin/contacts", params={"email": "nobody@example.com"}).json() == {"results": []}
    reset = api.post("/__standin/reset")
    assert reset.status_code == 200 and reset.json()["contacts"] == 0
    assert api.get("/__standin/contacts").json() == {"results": []}
    assert ledger(api, "seed@example.com") == []


def test_429_faults_answer_retry_after_then_recover(api: TestClient, clock: Clock) -> None:
    state = plant(api, status=429, count=2, retry_after=3, email="Busy@example.com")
    assert state["contacts"]["busy@example.com"]["rate_limit"] == {"count": 2, "retry_after": 3}
    first = api.post(CONTACTS, json={"properties": {"email": "busy@example.com"}})
    assert_error(first, 429, "RATE_LIMITS")
    assert first.headers["Retry-After"] == "3"
    clock.offset_s += 3
    second = api.post(f"{CONTACTS}/search", json=search_body("busy@example.com"))
    assert second.status_code == 429 and second.headers["Retry-After"] == "3"
    clock.offset_s += 3
    assert api.post(CONTACTS, json={"properties": {"email": "busy@example.com"}}).status_code == 201
    entries = ledger(api, "busy@example.com")
    assert [(e["method"], e["path"], e["status"], e["early"]) for e in entries] == [
        ("POST", CONTACTS, 429, False),
        ("POST", f"{CONTACTS}/search", 429, False),
        ("POST", CONTACTS, 201, False),
    ]
    assert entries[0]["at"] < entries[1]["at"] < entries[2]["at"]


def test_a_request_before_retry_after_elapsed_is_429_again_and_early(api: TestClient, clock: Clock) -> None:
    contact = create(api, email="eager@example.com")
    plant(api, status=429, count=1, retry_after=5, email="eager@example.com")
    assert api.get(f"{CONTACTS}/{contact['id']}").status_code == 429
    clock.offset_s += 2.2
    early = api.get(f"{CONTACTS}/{contact['id']}")
    assert early.status_code == 429 and early.headers["Retry-After"] == "3"  # the remaining seconds, rounded up
    clock.offset_s += 3
    assert api.get(f"{CONTACTS}/{contact['id']}").status_code == 200
    assert [(e["status"], e["early"]) for e in ledger(api, "eager@example.com")] == [
        (201, False),
        (429, False),
        (429, True),
        (200, False),
    ]
    assert api.get("/__standin/faults").json()["contacts"] == {}  # the count is spent


def test_scoped_faults_leave_other_contacts_alone(api: TestClient) -> None:
    plant(api, status=500, count=5, email="broken@example.com")
    assert api.post(CONTACTS, json={"properties": {"email": "fine@example.com"}}).status_code == 201
    assert search_email(api, "fine@example.com")["total"] == 1
    assert api.get("/crm/v3/properties/contacts").status_code == 200
    assert_error(api.post(CONTACTS, json={"properties": {"email": "broken@example.com"}}), 500, "INTERNAL_ERROR")
    assert api.delete("/__standin/faults", params={"email": "broken@example.com"}).json()["contacts"] == {}
    assert api.post(CONTACTS, json={"properties": {"email": "broken@example.com"}}).status_code == 201


def test_server_error_faults_count_down_and_take_any_5xx(api: TestClient) -> None:
    plant(api, status=502, count=2)
    statuses = [api.get("/crm/v3/properties/contacts").status_code for _ in range(3)]
    assert statuses == [502, 502, 200]


def test_global_faults_apply_to_every_request_until_cleared(api: TestClient) -> None:
    plant(api, outage=True)
    assert_error(api.get("/crm/v3/properties/contacts"), 503, "SERVICE_UNAVAILABLE")
    assert_error(api.post(CONTACTS, json={"properties": {"email": "o@example.com"}}), 503, "SERVICE_UNAVAILABLE")
    assert ledger(api, "o@example.com")[0]["status"] == 503
    plant(api, status=429, count=1, retry_after=0)
    state = api.delete("/__standin/faults").json()
    assert state["global"] == {
        "rate_limit": None,
        "server_error": None,
        "latency_ms": 0,
        "outage": False,
        "search_lag_ms": 0,
    }
    assert api.get("/crm/v3/properties/contacts").status_code == 200


def test_delete_scope_all_clears_scoped_and_global(api: TestClient) -> None:
    plant(api, outage=True, email="a@example.com")
    plant(api, latency_ms=5)
    assert api.delete("/__standin/faults").json()["contacts"] != {}  # the plain DELETE keeps scoped faults
    plant(api, latency_ms=5)
    everything = api.delete("/__standin/faults", params={"scope": "all"}).json()
    assert everything["contacts"] == {} and everything["global"]["latency_ms"] == 0


def test_scoped_faults_add_to_the_global_ones(api: TestClient) -> None:
    plant(api, status=429, count=1, retry_after=0, email="both@example.com")
    plant(api, status=500, count=1)
    plant(api, outage=True)
    assert api.post(f"{CONTACTS}/search", json=search_body("both@example.com")).status_code == 503
    plant(api, outage=False)
    statuses = [api.post(f"{CONTACTS}/search", json=search_body("both@example.com")).status_code for _ in range(3)]
    assert statuses == [429, 500, 200]  # the contact's own count first, then the global one


def test_latency_delays_the_answer(api: TestClient) -> None:
    plant(api, latency_ms=300, email="slow@example.com")
    started = time.monotonic()
    assert search_email(api, "slow@example.com")["total"] == 0
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    search_email(api, "quick@example.com")
    assert time.monotonic() - started < 0.3  # another contact is not slowed


def test_a_wrong_token_is_recorded_and_auth_precedes_planted_faults(anonymous: TestClient) -> None:
    plant(anonymous, status=429, count=1, email="x@example.com")
    response = anonymous.post(CONTACTS, json={"properties": {"email": "x@example.com"}})
    assert_error(response, 401, "INVALID_AUTHENTICATION")
    assert anonymous.get("/__standin/faults").json()["contacts"]["x@example.com"]["rate_limit"]["count"] == 1
    assert ledger(anonymous, "x@example.com")[0]["status"] == 401


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429},
        {"status": 404, "count": 1},
        {"status": 429, "count": 1, "retry_after": 600},
        {"latency_ms": -1},
        {"outage": True, "latency_ms": 5},
        {"colour": "red"},
    ],
)
def test_malformed_faults_are_400(api: TestClient, fault: dict) -> None:
    response = api.post("/__standin/faults", json=fault)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_ledger_needs_an_email_and_can_be_cleared(api: TestClient, clock: Clock) -> None:
    assert api.get("/__standin/requests").status_code == 400
    plant(api, status=429, count=1, retry_after=30, email="l@example.com")
    search_email_status = api.post(f"{CONTACTS}/search", json=search_body("l@example.com")).status_code
    assert search_email_status == 429
    assert api.delete("/__standin/requests", params={"email": "l@example.com"}).json() == {"cleared": "l@example.com"}
    assert ledger(api, "l@example.com") == []
    assert search_email(api, "l@example.com")["total"] == 0  # the Retry-After window is forgotten too


def search_body(email: str) -> dict:
    return {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}]}


def test_extra_routes_are_served_and_standin_paths_among_them_loopback_only() -> None:
    async def sync(request: Request) -> Response:
        return JSONResponse({"invocations": 0})

    app = create_hubspot_app(token="t", extra_routes=[Route("/__standin/sync", sync)])
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/__standin/sync").json() == {"invocations": 0}
    with TestClient(app, client=("192.0.2.10", 40000)) as remote:
        assert remote.get("/__standin/sync").status_code == 403
        # The CRM API itself is not loopback-only: only its bearer token guards it.
        assert remote.get("/crm/v3/properties/contacts", headers={"Authorization": "Bearer t"}).status_code == 200


def test_the_token_is_required() -> None:
    with pytest.raises(ValueError, match="token"):
        create_hubspot_app(token="")


def test_a_request_in_flight_when_the_429_was_answered_is_refused_but_not_early(
    api: TestClient, ctx: HubSpotContext, clock: Clock
) -> None:
    contact = create(api, email="inflight@example.com")
    # As if another request about the contact had been answered 429 (Retry-After 5) just after this one was sent.
    now = clock.now()
    ctx.ledger.windows["inflight@example.com"] = RetryWindow(answered_at=now + 0.5, not_before=now + 5)
    refused = api.get(f"{CONTACTS}/{contact['id']}")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
    assert ledger(api, "inflight@example.com")[-1]["early"] is False


def test_search_lag_hides_new_contacts_from_search_only(api: TestClient, clock: Clock) -> None:
    plant(api, search_lag_ms=2000, email="lag@example.com")
    created = create(api, email="lag@example.com")
    assert search_email(api, "lag@example.com")["total"] == 0  # HubSpot's index has not caught up
    assert api.get(f"{CONTACTS}/{created['id']}").status_code == 200  # reads by id see it at once
    conflict = api.post(CONTACTS, json={"properties": {"email": "lag@example.com"}})
    assert_error(conflict, 409, "CONFLICT")  # what a search-then-create client meets
    clock.offset_s += 2.5
    assert search_email(api, "lag@example.com")["results"][0]["id"] == created["id"]
    create(api, email="nolag@example.com")
    assert search_email(api, "nolag@example.com")["total"] == 1  # scoped: others are indexed at once
