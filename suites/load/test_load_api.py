"""Latency under load (SPEC §10 `load.api.*`): signed-in reads and an authenticated event burst at concurrency 10,
judged on p95, 5xx and the exact answer of every request (judged in the Locust engine by the named predicates
`signed_in_read` and `persisted`, suites/load/predicates.py). Figures (p50/p95/p99/max per route, from Locust's
stats) go to load-summary.json.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from checks.evidence import Evidence
from environments import Environment
from suites.api.test_tracking import VIEW
from suites.load.expect import expect_load
from suites.load.pacing import Pacer
from suites.load.plan import EngineSettings
from suites.load.runner import Call, run_load

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


Burst = Callable[..., None]


@pytest.fixture
def burst(
    env: Environment, load_cookies: dict[str, str], pacer: Pacer, load_engine: EngineSettings, evidence: Evidence
) -> Burst:
    """Send `calls` at CONCURRENCY with the run's session, each answer judged by the predicate `accept`, then hold
    the whole burst to `p95_ms`, no 5xx and every answer as expected."""

    def send(calls: list[Call], *, accept: str, p95_ms: float, what: str) -> None:
        result = run_load(
            env.required("api_base_url"),
            calls,
            concurrency=CONCURRENCY,
            cookies=load_cookies,
            evidence=evidence,
            accept=accept,
            pacer=pacer,
            engine=load_engine,
        )
        expect_load(evidence, result, p95_ms=p95_ms, expected_count=len(calls), what=what)

    return send


@pytest.mark.check("load.api.read_latency")
def test_read_latency(env: Environment, burst: Burst) -> None:
    burst(read_calls(env.content.course), accept="signed_in_read", p95_ms=READ_P95_MS, what="signed-in reads")


@pytest.mark.check("load.api.event_burst")
def test_event_burst(burst: Burst) -> None:
    burst(event_calls(), accept="persisted", p95_ms=EVENT_P95_MS, what="authenticated events")
