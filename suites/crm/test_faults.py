"""[local] The sync under conditions only the sandbox can set up (SPEC §7): a contact that already carries courses
from before (the sets never shrink), and a portal answering 2 × 429 (Retry-After) then 1 × 500 for one user (the
consumer retries within its invocation, honours Retry-After and still keeps one contact). Each check signs in a
user of its own, prepared before its sign-in reaches the sync, and reads the contact through the stand-in's dump
(a HubSpot read about that contact would consume the faults meant for the consumer)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest

from checks.crm.standin import StandinHooks
from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.polling import poll
from environments import Environment
from suites.api.helpers import require
from suites.crm.sync import Learner, course_set, expect_reflected, poll_interval, watch

# Sort before any catalog slug, so that the union reads as SPEC's `a;b;c`.
SEED_COURSES = ("aaa-hhl-seed-a", "aaa-hhl-seed-b")
RETRY_AFTER_S = 1
FAULTS = ({"status": 429, "count": 2, "retry_after": RETRY_AFTER_S}, {"status": 500, "count": 1})


def dump_reader(standin: StandinHooks, email: str) -> Callable[[], dict[str, Any] | None]:
    """The contact's properties as the stand-in holds them (None while there is none); >1 contact is a finding."""

    def read() -> dict[str, Any] | None:
        contacts = standin.contacts(email)
        require(len(contacts) <= 1, f"{len(contacts)} contacts for the user's email: expected exactly one")
        return dict(contacts[0].get("properties") or {}) if contacts else None

    return read


@pytest.mark.check("crm.sync.never_shrinks")
def test_never_shrinks(
    fresh_learner: Callable[..., Learner], standin: StandinHooks, env: Environment, evidence: Evidence
) -> None:
    course = env.content.course
    seeded = ";".join(SEED_COURSES)
    learner = fresh_learner(lambda email: standin.seed_contact({"email": email, "hhl_enrolled_courses": seeded}))
    email = learner.email()
    learner.enroll(course)
    expected = ";".join(sorted({*SEED_COURSES, course}))
    result = watch(
        dump_reader(standin, email),
        lambda props: course in course_set(props.get("hhl_enrolled_courses")),
        deadline_s=env.crm.sync_deadline_s,
    )
    wanted = {"seeded": seeded, "enrolled": course, "hhl_enrolled_courses": expected}
    props = expect_reflected(evidence, result, wanted, f"the enrollment in {course}")
    lost = sorted(set(SEED_COURSES) - set(course_set(props.get("hhl_enrolled_courses"))))
    evidence.record(actual={**result.summary(), "lost": lost})
    require(
        not lost, f"hhl_enrolled_courses shrank: the seeded {lost} are gone ({props.get('hhl_enrolled_courses')!r})"
    )
    require(
        props.get("hhl_enrolled_courses") == expected,
        f"hhl_enrolled_courses is {props.get('hhl_enrolled_courses')!r}, expected the sorted union {expected!r}",
    )


def _planted(standin: StandinHooks) -> Callable[[str], None]:
    def plant(email: str) -> None:
        for fault in FAULTS:
            standin.fault(email, **fault)

    return plant


def failures_during(ledger: dict[str, Any], start: float, end: float) -> list[dict[str, Any]]:
    """The stream poller's invocations that reported batch item failures (or gave records up) between `start`
    and `end` (epoch s). Its ledger keeps sequence numbers, never record bodies, so a failure is the user's by its
    time: while the user's contact was being synced, and only this user's requests are faulted."""
    entries = [*(ledger.get("recent") or []), *(ledger.get("given_up") or [])]
    return [
        entry
        for entry in entries
        if isinstance(entry, dict)
        and (entry.get("batch_item_failures") or entry.get("to"))
        and start <= float(entry.get("at") or 0) <= end
    ]


def _faults_served(standin: StandinHooks, email: str) -> bool:
    served = [entry.get("status") for entry in standin.requests(email)]
    return served.count(429) >= 2 and 500 in served


@pytest.mark.check("crm.sync.retries")
def test_retries(
    fresh_learner: Callable[..., Learner], standin: StandinHooks, env: Environment, evidence: Evidence
) -> None:
    """One chain of invocations meets the faults: the sign-in's profile write (one table's stream) syncs first, and
    the judged event is a page view (the users table only). Events writing several tables are delivered by one
    mapping each, in parallel, as in Lambda: a 429 answered to one invocation says nothing about when another,
    which never saw it, may call."""
    learner = fresh_learner(_planted(standin))
    email, slug = learner.email(), f"hhl-retries-{secrets.token_hex(4)}"
    deadline = env.crm.sync_deadline_s
    try:
        # The sign-in's sync meets the faults; bounded, and whoever else meets them is still one chain.
        began = time.monotonic()
        poll(lambda: _faults_served(standin, email), timeout_s=deadline, interval_s=poll_interval(deadline))
        settled_s = time.monotonic() - began
        learner.page_view("page", slug)
        result = watch(
            dump_reader(standin, email), lambda props: props.get("hhl_last_viewed_slug") == slug, deadline_s=deadline
        )
        ledger = standin.requests(email)
        sync, synced_by = standin.sync_ledger(), time.time()
    finally:
        standin.clear_faults(email)
    served = [entry.get("status") for entry in ledger]
    early = [entry for entry in ledger if entry.get("early")]
    first_request = min((float(entry.get("at") or 0) for entry in ledger), default=synced_by)
    failures = failures_during(sync, first_request, synced_by)
    expected = {
        "faults": list(FAULTS),
        "hhl_last_viewed_slug": slug,
        "contacts": 1,
        "early_requests": 0,
        "failed_invocations": 0,
    }
    observed = {
        "statuses_served": served,
        "early_requests": early,
        "failed_invocations": failures,
        "faults_served_after_s": round(settled_s, 2),
    }
    evidence.record(expected=expected, actual={**result.summary(), **observed})
    if served.count(429) < 2 or 500 not in served:
        raise HarnessError(f"the planted faults were never served (statuses {served}): the check proved nothing")
    expect_reflected(evidence, result, expected, "a page view under 2 × 429 + 1 × 500", **observed)
    require(not early, f"{len(early)} request(s) arrived before the 429's Retry-After ({RETRY_AFTER_S} s) elapsed")
    require(
        not failures,
        f"the consumer gave up on the user within its invocation ({len(failures)} invocation(s) reported batch item "
        "failures while its contact synced): 2 × 429 and 1 × 500 are within SPEC §7's 5 attempts",
    )
