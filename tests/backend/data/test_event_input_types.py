"""`POST /events/track` and `POST /quiz/grade` answer every wrong JSON type with a 400 envelope, never a 500 (SPEC
§3.9): each input class `api.fuzz.no_5xx` found or probes, through the real app.

`{"eventName": {}}` was a 500 (`TypeError: unhashable type` in the required-slug lookup) until the parser checked
the type first; `backend.unhashable_event_name` plants that defect back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from tests.backend.data.store_fixtures import Caller

WRONG_TYPES: list[Any] = [{}, [], [None, None], 0, 1.5, True, None]
COURSE = "network-like-hyperscaler-foundations"


def post(api: TestClient, path: str, body: Any) -> Any:
    return api.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


def assert_schema_failure(response: Any, path: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["details"]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert any(detail.startswith(f"{path}:") for detail in body["details"]["details"]), body


@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_event_name_of_any_wrong_type_is_a_400(api: TestClient, caller: Caller, value: Any, signed_in: bool) -> None:
    if not signed_in:
        caller.identity = None
    assert_schema_failure(post(api, "/events/track", {"eventName": value}), "eventName")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"eventName": "learning_course_enrolled", "course_slug": {}}, "course_slug"),
        ({"eventName": "learning_course_enrolled", "course_slug": [COURSE]}, "course_slug"),
        ({"eventName": "learning_course_enrolled", "payload": {"course_slug": 7}}, "payload.course_slug"),
        ({"eventName": "learning_module_started", "payload": {"module_slug": {}}}, "payload.module_slug"),
        ({"eventName": "learning_course_enrolled", "course_slug": COURSE, "payload": []}, "payload"),
        (
            {"eventName": "learning_course_enrolled", "course_slug": COURSE, "enrollment_source": {}},
            "enrollment_source",
        ),
        (
            {"eventName": "learning_course_enrolled", "course_slug": COURSE, "contactIdentifier": []},
            "contactIdentifier",
        ),
        (
            {"eventName": "learning_course_enrolled", "course_slug": COURSE, "contactIdentifier": {"email": {}}},
            "contactIdentifier.email",
        ),
        (
            {"eventName": "learning_course_enrolled", "course_slug": COURSE, "contactIdentifier": {"contactId": []}},
            "contactIdentifier.contactId",
        ),
        ({"eventName": "learning_page_viewed", "payload": {"content_type": {}, "slug": "x"}}, "payload.content_type"),
        ({"eventName": "learning_page_viewed", "payload": {"content_type": "module", "slug": []}}, "payload.slug"),
    ],
)
def test_event_fields_of_a_wrong_type_are_a_400(api: TestClient, body: dict[str, Any], path: str) -> None:
    assert_schema_failure(post(api, "/events/track", body), path)


@pytest.mark.parametrize("body", [[], "x", 0, None], ids=repr)
def test_a_non_object_event_body_is_a_400(api: TestClient, body: Any) -> None:
    assert_schema_failure(post(api, "/events/track", body), "root")


@pytest.mark.parametrize(
    "body",
    [
        {"module_slug": {}, "answers": []},
        {"module_slug": ["x"], "answers": []},
        {"module_slug": "fabric-operations-foundations-recap", "answers": {}},
        {"module_slug": "fabric-operations-foundations-recap", "answers": [[]]},
        {"module_slug": "fabric-operations-foundations-recap", "answers": [{"id": {}, "value": 1}]},
        {"module_slug": "fabric-operations-foundations-recap", "answers": [None]},
    ],
    ids=repr,
)
def test_quiz_fields_of_a_wrong_type_are_a_400(api: TestClient, body: dict[str, Any]) -> None:
    response = post(api, "/quiz/grade", body)
    assert response.status_code == 400, response.text
    assert response.json()["details"]["code"] == "SCHEMA_VALIDATION_FAILED"


def test_the_unhashable_event_name_fault_brings_the_500_back(api: TestClient) -> None:
    """The fault is live (the matrix relies on it) and touches nothing but the non-string names."""
    api.app.state.seams = seams_for_faults(frozenset({"backend.unhashable_event_name"}), base=api.app.state.seams)
    assert post(api, "/events/track", {"eventName": {}}).status_code == 500
    assert_schema_failure(post(api, "/events/track", {"eventName": "nope"}), "eventName")
    enrolled = post(api, "/events/track", {"eventName": "learning_course_enrolled", "course_slug": COURSE})
    assert enrolled.status_code == 200 and enrolled.json()["status"] == "persisted"
