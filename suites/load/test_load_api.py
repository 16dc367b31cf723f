"""Latency under load (SPEC §10 `load.api.*`): signed-in reads and an authenticated event burst at concurrency 10,
judged on p95, 5xx and the exact answer of every request. Figures (p50/p95/max per route) go to load-summary.json.
"""

from __future__ import annotations

from typing import Any

import pytest

from checks.evidence import Evidence
from suites.api.helpers import UUID, is_persisted
from suites.api.test_tracking import VIEW
from suites.load.expect import expect_load
from suites.load.runner import Call, Pacer, run_load
from suites.load.stats import Sample

CONCURRENCY = 10
READS = 200
READ_P95_MS = 1000.0
EVENTS = 100
EVENT_P95_MS = 1500.0
# SPEC §5 smoke slugs: deliberately not in the catalog, so the burst never rolls anything up or completes a course.
SMOKE_COURSE, SMOKE_MODULE = "api-test-course", "api-test-module-started"


def read_calls(course: str) -> list[Call]:
    """READS calls, round-robin over the three signed-in reads."""
    routes = (
        Call("auth/me", "GET", "/auth/me"),
        Call("progress/read", "GET", "/progress/read"),
        Call("progress/aggregate", "GET", "/progress/aggregate", params={"type": "course", "slug": course}),
    )
    return [routes[i % len(routes)] for i in range(READS)]


def is_signed_in_read(sample: Sample) -> bool:
    """200 with the signed-in body: a profile with a UUID userId, or an `authenticated` data answer."""
    body = sample.body if isinstance(sample.body, dict) else {}
    if sample.status != 200:
        return False
    if sample.label == "auth/me":
        return bool(UUID.match(str(body.get("userId"))))
    return body.get("mode") == "authenticated"


def event_calls() -> list[Call]:
    """EVENTS calls alternating a page view and a module start on the smoke (non-catalog) slugs."""
    started = {
        "eventName": "learning_module_started",
        "course_slug": SMOKE_COURSE,
        "payload": {"module_slug": SMOKE_MODULE},
    }
    kinds = (
        Call("page_viewed", "POST", "/events/track", json=VIEW),
        Call("module_started", "POST", "/events/track", json=started),
    )
    return [kinds[i % len(kinds)] for i in range(EVENTS)]


def persisted_sample(sample: Sample) -> bool:
    return sample.status == 200 and is_persisted(sample.body)


@pytest.mark.check("load.api.read_latency")
def test_read_latency(env: Any, load_cookies: dict[str, str], pacer: Pacer, evidence: Evidence) -> None:
    result = run_load(
        env.api_base_url,
        read_calls(env.content.course),
        concurrency=CONCURRENCY,
        cookies=load_cookies,
        evidence=evidence,
        pacer=pacer,
        is_failure=lambda s: not is_signed_in_read(s),
    )
    expect_load(
        evidence, result, accept=is_signed_in_read, p95_ms=READ_P95_MS, expected_count=READS, what="signed-in reads"
    )


@pytest.mark.check("load.api.event_burst")
def test_event_burst(env: Any, load_cookies: dict[str, str], pacer: Pacer, evidence: Evidence) -> None:
    result = run_load(
        env.api_base_url,
        event_calls(),
        concurrency=CONCURRENCY,
        cookies=load_cookies,
        evidence=evidence,
        pacer=pacer,
        is_failure=lambda s: not persisted_sample(s),
    )
    expect_load(
        evidence,
        result,
        accept=persisted_sample,
        p95_ms=EVENT_P95_MS,
        expected_count=EVENTS,
        what="authenticated events",
    )
