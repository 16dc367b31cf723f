"""Read routes through the real app (SPEC §3.8, §3.11): shapes, identity, sorting, fallbacks."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hhl_backend.config import Settings
from hhl_backend.content import Catalog
from hhl_backend.identity import Identity
from hhl_backend.store import Store, build_enrollment_list, round_half_up_percent
from starlette.testclient import TestClient

from tests.backend.data.store_fixtures import LEARNER, Caller

FOUNDATIONS = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def track(api: TestClient, body: dict[str, Any]) -> None:
    response = api.post("/events/track", content=json.dumps(body))
    assert response.json()["status"] == "persisted", response.text


def started(module: str, **extra: Any) -> dict[str, Any]:
    return {"eventName": "learning_module_started", "payload": {"module_slug": module}, **extra}


def completed(module: str) -> dict[str, Any]:
    return {"eventName": "learning_module_completed", "payload": {"module_slug": module}}


@pytest.mark.parametrize(
    "path", ["/progress/read", "/progress/aggregate?type=course&slug=x", "/progress/read?email=ada@example.test"]
)
def test_anonymous_reads(api: TestClient, caller: Caller, path: str) -> None:
    caller.identity = None
    response = api.get(path)
    assert response.status_code == 200
    assert response.json() == {"mode": "anonymous"}


@pytest.mark.parametrize("path", ["/enrollments/list", "/enrollments/list?email=", "/enrollments/list?email=a@b.co"])
def test_enrollments_list_needs_a_session(api: TestClient, caller: Caller, path: str) -> None:
    caller.identity = None
    response = api.get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    assert response.headers["www-authenticate"] == 'Bearer realm="Hedgehog Learn"'


def test_email_query_never_selects_another_user(api: TestClient, caller: Caller) -> None:
    track(api, {"eventName": "learning_course_enrolled", "course_slug": FOUNDATIONS})
    caller.identity = Identity(sub="someone-else")
    body = api.get("/progress/read", params={"email": "ada@example.test", "contactId": "123"}).json()
    assert body["progress"] == {} and body["summary"] == "No progress yet"
    assert api.get("/enrollments/list", params={"email": "ada@example.test"}).json()["enrollments"] == {
        "pathways": [],
        "courses": [],
    }


@pytest.mark.parametrize("query", ["email=not-an-email", "contactId=" + "9" * 51])
def test_malformed_identity_query_is_rejected(api: TestClient, query: str) -> None:
    response = api.get(f"/progress/read?{query}")
    assert response.status_code == 400
    assert response.json()["details"]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert response.json()["error"] == "Invalid query parameters"


def test_module_lifecycle_in_progress_read(api: TestClient) -> None:
    track(api, started("fabric-operations-welcome", pathway_slug=PATHWAY))
    first = api.get("/progress/read").json()
    track(api, completed("fabric-operations-welcome"))
    track(api, started("fabric-operations-welcome", pathway_slug=PATHWAY))  # re-send keeps the first times
    track(api, {"eventName": "learning_page_viewed", "payload": {"content_type": "module", "slug": "x-y"}})
    response = api.get("/progress/read")
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    assert body["mode"] == "authenticated"
    pathway = body["progress"][PATHWAY]
    course = pathway["courses"][FOUNDATIONS]
    module = course["modules"]["fabric-operations-welcome"]
    before = first["progress"][PATHWAY]["courses"][FOUNDATIONS]
    assert module["started"] and module["completed"]
    assert module["started_at"] == before["modules"]["fabric-operations-welcome"]["started_at"]
    assert ISO_MS.match(module["completed_at"])
    assert course["enrolled_at"] == before["enrolled_at"] and course["enrollment_source"] == "module_event"
    assert course["started"] and course["started_at"] == module["started_at"] and not course["completed"]
    assert pathway["started"] and pathway["enrolled"] and pathway["courses"].keys() == {FOUNDATIONS}
    assert "courses" not in body["progress"]  # nothing standalone
    assert body["summary"] == f"{FOUNDATIONS}: 1/4 modules; {PATHWAY}: 0/2 courses"
    assert body["last_viewed"]["type"] == "module" and body["last_viewed"]["slug"] == "x-y"
    assert ISO_MS.match(body["last_viewed"]["at"]) and ISO_MS.match(body["updated_at"])


def test_new_user_progress_read(api: TestClient) -> None:
    body = api.get("/progress/read").json()
    assert body == {
        "mode": "authenticated",
        "progress": {},
        "updated_at": None,
        "summary": "No progress yet",
        "last_viewed": {"type": None, "slug": None, "at": None},
    }


def test_non_catalog_summary_uses_question_mark(api: TestClient) -> None:
    track(
        api,
        {"eventName": "learning_module_completed", "course_slug": "api-test-course", "payload": {"module_slug": "m"}},
    )
    assert api.get("/progress/read").json()["summary"] == "api-test-course: 1/? modules"


def test_enrollments_sorted_by_time_then_slug(api: TestClient, store: Store) -> None:
    times = iter(["2026-01-03T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"] * 3)
    store.clock = lambda: next(times)
    track(api, {"eventName": "learning_course_enrolled", "course_slug": "zeta", "enrollment_source": "cta"})
    track(api, {"eventName": "learning_course_enrolled", "course_slug": "beta"})
    track(api, {"eventName": "learning_course_enrolled", "course_slug": "alpha", "pathway_slug": "p"})
    response = api.get("/enrollments/list")
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    assert body["mode"] == "authenticated"
    assert [c["slug"] for c in body["enrollments"]["courses"]] == ["alpha", "beta", "zeta"]
    beta = body["enrollments"]["courses"][1]
    assert beta == {
        "slug": "beta",
        "pathway_slug": None,
        "enrolled_at": "2026-01-01T00:00:00.000Z",
        "enrollment_source": None,
    }
    assert body["enrollments"]["pathways"] == [
        {"slug": "p", "enrolled_at": "2026-01-01T00:00:00.000Z", "enrollment_source": None}
    ]


def test_course_aggregate(api: TestClient) -> None:
    track(api, started("fabric-operations-welcome"))
    track(api, completed("fabric-operations-welcome"))
    track(api, completed("fabric-operations-how-it-works"))
    track(api, started("fabric-operations-mastering-interfaces"))
    body = api.get("/progress/aggregate", params={"type": "course", "slug": FOUNDATIONS}).json()
    assert body["mode"] == "authenticated"
    assert (body["started"], body["completed"], body["total"], body["percentage"]) == (2, 2, 4, 50)
    assert body["enrolled"] is True and ISO_MS.match(body["enrolled_at"])
    other = api.get("/progress/aggregate", params={"type": "course", "slug": "api-test-course"}).json()
    assert other == {
        "mode": "authenticated",
        "started": 0,
        "completed": 0,
        "enrolled": False,
        "enrolled_at": None,
        "total": None,
        "percentage": None,
    }


def test_pathway_aggregate(api: TestClient, catalog: Catalog) -> None:
    track(api, {"eventName": "learning_pathway_enrolled", "pathway_slug": PATHWAY})
    for module in catalog.courses[FOUNDATIONS].module_slugs:
        track(api, completed(module))
    track(api, started("fabric-operations-vpc-provisioning"))
    body = api.get("/progress/aggregate", params={"type": "pathway", "slug": PATHWAY}).json()
    assert (body["started"], body["completed"], body["total"], body["percentage"]) == (2, 1, 2, 50)
    assert body["enrolled"] is True


@pytest.mark.parametrize(
    "query", ["", "type=module&slug=x", "type=course", "type=course&slug=", "type=course&slug=Bad", "slug=x"]
)
def test_aggregate_bad_parameters(api: TestClient, caller: Caller, query: str) -> None:
    caller.identity = None  # parameter validation comes before the anonymous answer
    response = api.get(f"/progress/aggregate?{query}")
    assert response.status_code == 400
    assert response.json()["details"]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert response.json()["details"]["details"]


def test_round_half_up() -> None:
    assert [round_half_up_percent(n, d) for n, d in ((1, 8), (3, 8), (1, 3), (2, 3), (0, 4), (4, 4))] == [
        13,
        38,
        33,
        67,
        0,
        100,
    ]


def test_read_fallbacks_when_dynamodb_fails(api: TestClient, ddb: Any, settings: Settings) -> None:
    ddb.update_table(TableName=settings.enrollments_table, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=settings.enrollments_table)
    assert api.get("/progress/read").json() == {"mode": "fallback", "error": "Unable to read progress"}
    aggregate = api.get("/progress/aggregate", params={"type": "course", "slug": FOUNDATIONS})
    assert aggregate.json() == {"mode": "fallback", "error": "Unable to fetch progress"}
    listing = api.get("/enrollments/list")
    assert listing.status_code == 500 and listing.json() == {"error": "Unable to fetch enrollments"}
    assert LEARNER.sub not in listing.text


def test_enrollments_without_timestamp_sort_last() -> None:
    items = [
        {"entityType": "course", "courseSlug": "a"},
        {"entityType": "course", "courseSlug": "b", "enrolledAt": "2026-01-01T00:00:00.000Z"},
    ]
    courses = build_enrollment_list(items)["enrollments"]["courses"]
    assert [(c["slug"], c["enrolled_at"]) for c in courses] == [("b", "2026-01-01T00:00:00.000Z"), ("a", None)]
