"""`POST /events/track` and the anonymous data routes (SPEC §3.8–§3.11): size cap, validation, anonymous answers,
a persisted enrollment and the enrollment list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession
from suites.api.helpers import (
    ACCESS_COOKIE,
    ISO_MS,
    WWW_AUTHENTICATE,
    expect_error_code,
    expect_json,
    expect_status,
    require,
)

CAP = 10_000
LOGGED = {"status": "logged", "mode": "anonymous"}
PERSISTED = {"status": "persisted", "mode": "authenticated", "backend": "dynamodb"}
ANONYMOUS = {"mode": "anonymous"}
VIEW = {"eventName": "learning_page_viewed", "payload": {"content_type": "course", "slug": "api-test-course"}}


def _padded(size: int) -> bytes:
    """A valid anonymous event of exactly `size` bytes (padding in an ignored unknown key)."""
    empty = json.dumps({**VIEW, "padding": ""}, separators=(",", ":")).encode()
    return json.dumps({**VIEW, "padding": "x" * (size - len(empty))}, separators=(",", ":")).encode()


def enroll_course(api: HttpClient, env: Any, token: str) -> Any:
    body = {
        "eventName": "learning_course_enrolled",
        "course_slug": env.content.course,
        "pathway_slug": env.content.pathway,
        "enrollment_source": "hhl-harness",
    }
    return api.post("/events/track", json=body, cookies={ACCESS_COOKIE: token})


@pytest.mark.check("api.events.payload_cap")
def test_events_payload_cap(api: HttpClient, evidence: Evidence) -> None:
    headers = {"Content-Type": "application/json"}
    over, at_cap = _padded(CAP + 1), _padded(CAP)
    require(len(over) == CAP + 1 and len(at_cap) == CAP, "harness bug: padded bodies have the wrong size")
    body = expect_error_code(
        evidence, api.post("/events/track", content=over, headers=headers), 400, "PAYLOAD_TOO_LARGE"
    )
    require(
        body["error"] == "Request payload exceeds maximum size of 10KB",
        f"PAYLOAD_TOO_LARGE message: {body['error']!r}",
    )
    expect_json(evidence, api.post("/events/track", content=at_cap, headers=headers), 200, LOGGED)


@pytest.mark.check("api.events.validation")
def test_events_validation(api: HttpClient, evidence: Evidence) -> None:
    invalid = api.post("/events/track", content=b"{invalid json}", headers={"Content-Type": "application/json"})
    expect_error_code(evidence, invalid, 400, "INVALID_JSON")
    cases = {
        "unknown eventName": {"eventName": "learning_everything_done"},
        "module event without a slug": {"eventName": "learning_module_started", "payload": {}},
        "page view without slug": {"eventName": "learning_page_viewed", "payload": {"content_type": "course"}},
        "course enroll without slug": {"eventName": "learning_course_enrolled"},
        "bad contactIdentifier.email": {**VIEW, "contactIdentifier": {"email": "not-an-email"}},
    }
    for name, payload in cases.items():
        body = expect_error_code(evidence, api.post("/events/track", json=payload), 400, "SCHEMA_VALIDATION_FAILED")
        details = body["details"].get("details")
        require(isinstance(details, list) and len(details) > 0, f"{name}: details.details is empty: {body}")


@pytest.mark.check("api.data.anonymous")
def test_data_anonymous(api: HttpClient, env: Any, evidence: Evidence) -> None:
    aggregate = {"type": "course", "slug": env.content.course}
    for headers in ({}, {"Authorization": "Bearer invalid-token-12345"}):
        expect_json(evidence, api.post("/events/track", json=VIEW, headers=headers), 200, LOGGED)
        expect_json(evidence, api.get("/progress/read", headers=headers), 200, ANONYMOUS)
        expect_json(evidence, api.get("/progress/aggregate", params=aggregate, headers=headers), 200, ANONYMOUS)
        listed = api.get("/enrollments/list", headers=headers)
        expect_json(evidence, listed, 401, {"error": "Unauthorized"})
        require(
            listed.headers.get("www-authenticate") == WWW_AUTHENTICATE,
            f"GET /enrollments/list 401 without WWW-Authenticate: {listed.headers.get('www-authenticate')!r}",
        )


@pytest.mark.check("api.events.persisted")
def test_events_persisted(api: HttpClient, env: Any, signed_in: SignedInSession, evidence: Evidence) -> None:
    expect_json(evidence, enroll_course(api, env, signed_in.access_token), 200, PERSISTED)


@pytest.mark.check("api.enrollments.list")
def test_enrollments_list(api: HttpClient, env: Any, signed_in: SignedInSession, evidence: Evidence) -> None:
    expect_json(evidence, enroll_course(api, env, signed_in.access_token), 200, PERSISTED)
    listed = api.get("/enrollments/list", cookies={ACCESS_COOKIE: signed_in.access_token})
    body = expect_status(evidence, listed, 200)
    enrollments = body.get("enrollments")
    require(
        body.get("mode") == "authenticated"
        and isinstance(enrollments, dict)
        and isinstance(enrollments.get("pathways"), list)
        and isinstance(enrollments.get("courses"), list),
        f"GET /enrollments/list envelope differs from SPEC §3.11: {listed.describe()}",
    )
    courses = enrollments["courses"]
    mine = next((c for c in courses if c.get("slug") == env.content.course), None)
    evidence.record(
        expected={"course": env.content.course, "enrolled_at": "ISO-8601 ms Z", "source": "string"}, actual=mine
    )
    require(
        mine is not None, f"{env.content.course} missing from the course enrollments {[c.get('slug') for c in courses]}"
    )
    assert mine is not None
    require(
        set(mine) == {"slug", "pathway_slug", "enrolled_at", "enrollment_source"},
        f"course entry keys {sorted(mine)} differ from SPEC §3.11",
    )
    require(
        bool(ISO_MS.match(str(mine["enrolled_at"]))), f"enrolled_at {mine['enrolled_at']!r} is not ISO-8601 UTC with ms"
    )
    require(isinstance(mine["enrollment_source"], str) and mine["enrollment_source"] != "", "enrollment_source missing")
    order = [(c.get("enrolled_at") or "", c.get("slug") or "") for c in courses]
    require(order == sorted(order), f"courses not sorted by enrolled_at then slug: {order}")
