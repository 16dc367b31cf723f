"""No lost updates under concurrency (SPEC §4.5, §4.6): a burst of started/completed module events, with
duplicates, over two catalog courses, sent at once as the test user. Afterwards every module row has both flags,
the pre-existing enrollments keep their first `enrolled_at`, and each course has exactly one badge.

The courses are read from the site's catalog page, never the env's content course: completing that one would
make `api.progress.completion_claim` (an early claim must be rejected) fail on every later run against a
persistent user.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from checks.aws.session import ReadOnlyAws
from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession
from environments import Environment
from suites.api.helpers import expect_persisted, expect_status, find_course, linked_slugs, require
from suites.api.test_progress import Learner, catalog_modules
from suites.load.badges import badge_counts
from suites.load.expect import load_problems
from suites.load.pacing import Pacer
from suites.load.plan import EngineSettings
from suites.load.runner import Call, run_load

CONCURRENCY = 10
EVENTS = 50
COURSES = 2
SEED = 20260115  # a fixed shuffle: the same interleaving request order on every run


def pick_courses(site: HttpClient, content_course: str) -> dict[str, list[str]]:
    """The first COURSES catalog courses other than the content course → their modules, from the site pages."""
    page = site.get("/learn")
    candidates = [c for c in linked_slugs(page.text, "courses") if c != content_course]
    if len(candidates) < COURSES:
        raise HarnessError(f"the site catalog /learn links {candidates} besides {content_course}: need {COURSES}")
    return {course: catalog_modules(site, course) for course in candidates[:COURSES]}


def module_event_calls(courses: dict[str, list[str]], total: int, seed: int = SEED) -> list[Call]:
    """Every (course, module, started|completed) once, topped up with duplicates to `total`, shuffled."""
    distinct = [
        Call(
            f"module_{kind}",
            "POST",
            "/events/track",
            json={"eventName": f"learning_module_{kind}", "course_slug": course, "payload": {"module_slug": module}},
        )
        for course, modules in courses.items()
        for module in modules
        for kind in ("started", "completed")
    ]
    calls = [distinct[i % len(distinct)] for i in range(max(total, len(distinct)))]
    random.Random(seed).shuffle(calls)
    return calls


def lost_flags(progress_course: dict[str, Any] | None, modules: list[str]) -> list[str]:
    """`module: missing started/completed` for every catalog module whose row lacks a flag."""
    rows = (progress_course or {}).get("modules") or {}
    lost = []
    for module in modules:
        row = rows.get(module) or {}
        missing = [flag for flag in ("started", "completed") if row.get(flag) is not True]
        if missing:
            lost.append(f"{module}: {'/'.join(missing)} missing")
    return lost


def _pre_enroll(api: HttpClient, env: Environment, learner: Learner, evidence: Evidence, course: str) -> str:
    body = {"eventName": "learning_course_enrolled", "course_slug": course, "enrollment_source": "hhl-harness-load"}
    expect_persisted(evidence, env, api.post("/events/track", json=body, cookies=learner.cookies))
    enrollment = learner.enrollment(course)
    require(enrollment is not None and bool(enrollment.get("enrolled_at")), f"{course}: not enrolled: {enrollment}")
    assert enrollment is not None
    return enrollment["enrolled_at"]


@pytest.mark.check("load.concurrency.no_lost_updates")
def test_no_lost_updates(
    api: HttpClient,
    site: HttpClient,
    env: Environment,
    signed_in: SignedInSession,
    load_cookies: dict[str, str],
    pacer: Pacer,
    load_engine: EngineSettings,
    aws: ReadOnlyAws,
    evidence: Evidence,
) -> None:
    learner = Learner(api, signed_in.access_token, evidence)
    sub = expect_status(evidence, api.get("/auth/me", cookies=learner.cookies), 200).get("userId")
    require(isinstance(sub, str) and bool(sub), "GET /auth/me answered without a userId")
    courses = pick_courses(site, env.content.course)
    enrolled_before = {course: _pre_enroll(api, env, learner, evidence, course) for course in courses}
    calls = module_event_calls(courses, EVENTS)
    pacer.reserve(len(calls))  # the whole burst within the run's rate budget, then sent at once for contention

    result = run_load(
        env.required("api_base_url"),
        calls,
        concurrency=CONCURRENCY,
        cookies=load_cookies,
        evidence=evidence,
        accept="persisted",
        engine=load_engine,
    )
    evidence.attach_json("load-summary", result.summary())
    problems = load_problems(result, p95_ms=None, expected_count=len(calls))

    progress = learner.progress()
    enrolled_after = {course: (learner.enrollment(course) or {}).get("enrolled_at") for course in courses}
    badges = badge_counts(aws, env.tables.badges, sub)
    lost = {course: lost_flags(find_course(progress, course), modules) for course, modules in courses.items()}
    actual: dict[str, Any] = {
        "lost_flags": {c: v for c, v in lost.items() if v},
        "enrolled_at": enrolled_after,
        "badges": {course: badges.get(course, 0) for course in courses},
    }
    evidence.record(
        expected={"lost_flags": {}, "enrolled_at": enrolled_before, "badges": dict.fromkeys(courses, 1)},
        actual=actual,
    )
    problems += [f"{course}: lost updates: {'; '.join(v)}" for course, v in actual["lost_flags"].items()]
    problems += [
        f"{course}: enrolled_at moved {enrolled_before[course]} → {enrolled_after[course]}"
        for course in courses
        if enrolled_after[course] != enrolled_before[course]
    ]
    problems += [f"{course}: {n} badges (expected 1)" for course, n in actual["badges"].items() if n != 1]
    require(not problems, f"{len(calls)} concurrent module events over {list(courses)}: " + " | ".join(problems))
