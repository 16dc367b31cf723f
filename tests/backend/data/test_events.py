"""`POST /events/track` through the real app (SPEC §3.8–§3.10): every event type, every validation rule."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hhl_backend.config import Settings
from hhl_backend.content import Catalog
from hhl_backend.store import Store
from starlette.testclient import TestClient

from tests.backend.data.store_fixtures import LEARNER, Caller, item

FOUNDATIONS = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
PERSISTED = {"status": "persisted", "mode": "authenticated", "backend": "dynamodb"}


def track(api: TestClient, body: Any) -> Any:
    return api.post("/events/track", content=json.dumps(body), headers={"content-type": "application/json"})


def module_event(module: str, completed: bool = False, **extra: Any) -> dict[str, Any]:
    name = "learning_module_completed" if completed else "learning_module_started"
    return {"eventName": name, "payload": {"module_slug": module}, **extra}


def padded(size: int) -> bytes:
    """A valid course-enroll body of exactly `size` bytes (padding in an ignored key)."""
    base = {"eventName": "learning_course_enrolled", "course_slug": FOUNDATIONS, "pad": ""}
    overhead = len(json.dumps(base).encode())
    body = json.dumps({**base, "pad": "x" * (size - overhead)}).encode()
    assert len(body) == size
    return body


def test_course_enroll_is_persisted_with_no_store(api: TestClient, ddb: Any, settings: Settings) -> None:
    response = track(
        api, {"eventName": "learning_course_enrolled", "course_slug": FOUNDATIONS, "enrollment_source": "cta"}
    )
    assert response.status_code == 200
    assert response.json() == PERSISTED
    assert response.headers["content-type"] == "application/json"
    assert "no-store" in response.headers["cache-control"]
    enrollment = item(ddb, settings.enrollments_table, f"USER#{LEARNER.sub}", f"ENROLLMENT#{FOUNDATIONS}")
    assert enrollment is not None and enrollment["enrollmentSource"] == "cta"


def test_every_event_type_is_persisted(api: TestClient, store: Store) -> None:
    events = [
        {"eventName": "learning_pathway_enrolled", "pathway_slug": PATHWAY},
        {"eventName": "learning_course_enrolled", "payload": {"course_slug": FOUNDATIONS, "pathway_slug": PATHWAY}},
        module_event("fabric-operations-welcome"),
        module_event("fabric-operations-welcome", completed=True),
        {
            "eventName": "learning_page_viewed",
            "payload": {"content_type": "module", "slug": "fabric-operations-welcome"},
        },
    ]
    for event in events:
        assert track(api, event).json() == PERSISTED, event
    data = store.load_user_data(LEARNER.sub)
    assert {e["SK"] for e in data.enrollments} == {f"ENROLLMENT#{FOUNDATIONS}", f"ENROLLMENT#PATHWAY#{PATHWAY}"}
    row = data.progress[FOUNDATIONS][0]
    assert row["started"] is True and row["completed"] is True
    assert data.activity is not None and data.activity["lastViewedSlug"] == "fabric-operations-welcome"


def test_top_level_slug_wins_over_payload(api: TestClient, store: Store) -> None:
    body = {
        "eventName": "learning_course_enrolled",
        "course_slug": "api-test-course",
        "payload": {"course_slug": "other"},
    }
    assert track(api, body).json() == PERSISTED
    assert [e["courseSlug"] for e in store.list_enrollments(LEARNER.sub)] == ["api-test-course"]


def test_anonymous_writes_nothing_even_with_contact_identifier(api: TestClient, caller: Caller, store: Store) -> None:
    caller.identity = None
    body = {**module_event("fabric-operations-welcome"), "contactIdentifier": {"email": "ada@example.test"}}
    response = track(api, body)
    assert response.status_code == 200
    assert response.json() == {"status": "logged", "mode": "anonymous"}
    assert store.load_user_data(LEARNER.sub).enrollments == []


def test_exactly_10000_bytes_passes_and_10001_is_rejected(api: TestClient) -> None:
    ok = api.post("/events/track", content=padded(10_000), headers={"content-type": "application/json"})
    assert ok.status_code == 200 and ok.json() == PERSISTED
    big = api.post("/events/track", content=padded(10_001), headers={"content-type": "application/json"})
    assert big.status_code == 400
    assert big.json()["error"] == "Request payload exceeds maximum size of 10KB"
    assert big.json()["details"]["code"] == "PAYLOAD_TOO_LARGE"


def test_oversized_invalid_json_is_size_rejected_before_parsing(api: TestClient) -> None:
    response = api.post("/events/track", content=b"{" * 10_001)
    assert response.json()["details"]["code"] == "PAYLOAD_TOO_LARGE"


def test_invalid_json(api: TestClient) -> None:
    response = api.post("/events/track", content=b"{invalid json}")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Request body is not valid JSON"
    assert body["details"]["code"] == "INVALID_JSON" and body["details"]["details"]


def test_empty_body_is_an_empty_object(api: TestClient) -> None:
    response = api.post("/events/track", content=b"")
    assert response.status_code == 400
    assert response.json()["details"]["details"][0].startswith("eventName:")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ([1, 2], "root"),
        ("text", "root"),
        ({"eventName": "learning_module_exploded"}, "eventName"),
        ({"eventName": 7}, "eventName"),
        ({"eventName": "learning_module_started"}, "payload.module_slug"),
        ({"eventName": "learning_module_started", "payload": "x"}, "payload"),
        ({"eventName": "learning_module_started", "payload": {"module_slug": "Bad Slug"}}, "payload.module_slug"),
        ({"eventName": "learning_module_started", "payload": {"module_slug": "a#b"}}, "payload.module_slug"),
        ({"eventName": "learning_module_started", "course_slug": "x" * 201}, "course_slug"),
        ({"eventName": "learning_course_enrolled"}, "course_slug"),
        ({"eventName": "learning_course_enrolled", "course_slug": 5}, "course_slug"),
        ({"eventName": "learning_pathway_enrolled"}, "pathway_slug"),
        ({"eventName": "learning_course_completed"}, "course_slug"),
        ({"eventName": "learning_pathway_completed"}, "pathway_slug"),
        ({"eventName": "learning_page_viewed", "payload": {"slug": "x"}}, "payload.content_type"),
        ({"eventName": "learning_page_viewed", "payload": {"content_type": "module"}}, "payload.slug"),
        (
            {"eventName": "learning_page_viewed", "payload": {"content_type": "m" * 51, "slug": "x"}},
            "payload.content_type",
        ),
        (
            {"eventName": "learning_course_enrolled", "course_slug": "c", "enrollment_source": "s" * 1001},
            "enrollment_source",
        ),
        ({"eventName": "learning_course_enrolled", "course_slug": "c", "contactIdentifier": {}}, "contactIdentifier"),
        ({"eventName": "learning_course_enrolled", "course_slug": "c", "contactIdentifier": "x"}, "contactIdentifier"),
        (
            {
                "eventName": "learning_course_enrolled",
                "course_slug": "c",
                "contactIdentifier": {"email": "not-an-email"},
            },
            "contactIdentifier.email",
        ),
        (
            {"eventName": "learning_course_enrolled", "course_slug": "c", "contactIdentifier": {"contactId": "9" * 51}},
            "contactIdentifier.contactId",
        ),
    ],
)
def test_schema_failures_name_the_path(api: TestClient, caller: Caller, body: Any, path: str) -> None:
    caller.identity = None  # validation happens before identity: anonymous callers get the same 400s
    response = track(api, body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "Invalid track event payload"
    assert payload["details"]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert any(d.startswith(f"{path}: ") for d in payload["details"]["details"]), payload


def test_course_completion_claim_rejected_with_counts(api: TestClient) -> None:
    track(api, module_event("fabric-operations-welcome", completed=True))
    response = track(api, {"eventName": "learning_course_completed", "course_slug": FOUNDATIONS})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == ("Course completion claim rejected: Course not actually complete: 1/4 modules completed")
    assert body["details"]["code"] == "INVALID_EVENT_DATA"
    assert body["context"] == {"courseSlug": FOUNDATIONS}
    unknown = track(api, {"eventName": "learning_course_completed", "course_slug": "api-test-course"})
    assert unknown.json()["error"].endswith("0/0 modules completed")


def test_course_completion_claim_accepted_after_all_modules(api: TestClient, store: Store, catalog: Catalog) -> None:
    for module in catalog.courses[FOUNDATIONS].module_slugs:
        assert track(api, module_event(module, completed=True)).json() == PERSISTED
    response = track(api, {"eventName": "learning_course_completed", "course_slug": FOUNDATIONS})
    assert response.json() == PERSISTED
    assert len(store.list_badges(LEARNER.sub)) == 1


def test_pathway_completion_claim(api: TestClient, catalog: Catalog) -> None:
    claim = {"eventName": "learning_pathway_completed", "pathway_slug": PATHWAY}
    for module in catalog.courses[FOUNDATIONS].module_slugs:
        track(api, module_event(module, completed=True))
    rejected = track(api, claim)
    assert rejected.status_code == 400
    assert rejected.json()["error"] == (
        "Pathway completion claim rejected: Pathway not actually complete: 1/2 courses completed"
    )
    assert rejected.json()["context"] == {"pathwaySlug": PATHWAY}
    for module in catalog.courses["network-like-hyperscaler-provisioning"].module_slugs:
        track(api, module_event(module, completed=True))
    assert track(api, claim).json() == PERSISTED


def test_dynamodb_failure_falls_back(api: TestClient, ddb: Any, settings: Settings) -> None:
    ddb.update_table(TableName=settings.enrollments_table, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=settings.enrollments_table)
    response = track(api, {"eventName": "learning_course_enrolled", "course_slug": FOUNDATIONS})
    assert response.status_code == 200
    assert response.json() == {"status": "logged", "mode": "fallback", "error": "Unable to persist event"}


def test_validation_failure_logs_one_redacted_line(api: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    body = {
        "eventName": "nope",
        "contactIdentifier": {"email": "ada@example.test"},
        "access_token": "opaque-secret-value",
        "x": token,
    }
    logger = logging.getLogger("hhl_backend")
    logger.addHandler(caplog.handler)  # the app's logger does not propagate to root
    try:
        track(api, body)
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r for r in caplog.records if r.getMessage() == "validation_failure"]
    assert len(lines) == 1
    record = lines[0].__dict__
    assert record["error_code"] == "SCHEMA_VALIDATION_FAILED"
    assert record["endpoint"] == "/events/track"
    excerpt = record["payload_excerpt"]
    assert excerpt.startswith('{"eventName": "nope"')
    assert len(excerpt) <= 200
    for secret in ("ada@example.test", "opaque-secret-value", token):
        assert secret not in excerpt
    assert "<email:" in excerpt
