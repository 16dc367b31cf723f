"""[local] The sync under conditions only the sandbox can set up (SPEC §7): a contact that already carries courses
from before (the sets never shrink), and a portal answering 2 × 429 (Retry-After) then 1 × 500 for one user (the
consumer retries within its invocation, honours Retry-After and still keeps one contact). Each check signs in a
user of its own, prepared before its sign-in reaches the sync, and reads the contact through the stand-in's dump
(a HubSpot read about that contact would consume the faults meant for the consumer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from checks.crm.standin import StandinHooks
from checks.errors import HarnessError
from checks.evidence import Evidence
from environments import Environment
from suites.api.helpers import require
from suites.crm.sync import Learner, course_set, expect_reflected, watch

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


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def failures_for(ledger: dict[str, Any], identities: Sequence[str]) -> list[Any]:
    """The poller's batch item failures that concern the user: any of its values (the record's keys, an email)
    names one of `identities` (its email, or the user id in `USER#<id>` keys)."""
    wanted = [identity.lower() for identity in identities if identity]
    return [
        failure
        for failure in ledger.get("batch_item_failures") or []
        if any(identity in text.lower() for text in _strings(failure) for identity in wanted)
    ]


@pytest.mark.check("crm.sync.retries")
def test_retries(
    fresh_learner: Callable[..., Learner], standin: StandinHooks, env: Environment, evidence: Evidence
) -> None:
    course = env.content.course
    learner = fresh_learner(_planted(standin))
    email = learner.email()
    try:
        learner.enroll(course)
        result = watch(
            dump_reader(standin, email),
            lambda props: course in course_set(props.get("hhl_enrolled_courses")),
            deadline_s=env.crm.sync_deadline_s,
        )
        ledger = standin.requests(email)
        sync = standin.sync_ledger()
    finally:
        standin.clear_faults(email)
    served = [entry.get("status") for entry in ledger]
    early = [entry for entry in ledger if entry.get("early")]
    failures = failures_for(sync, learner.identities())
    expected = {
        "faults": list(FAULTS),
        "hhl_enrolled_courses": f"contains {course}",
        "contacts": 1,
        "early_requests": 0,
        "batch_item_failures": 0,
    }
    observed = {"statuses_served": served, "early_requests": early, "batch_item_failures": failures}
    evidence.record(expected=expected, actual={**result.summary(), **observed})
    if served.count(429) < 2 or 500 not in served:
        raise HarnessError(f"the planted faults were never served (statuses {served}): the check proved nothing")
    expect_reflected(evidence, result, expected, f"the enrollment in {course} under 2 × 429 + 1 × 500", **observed)
    require(not early, f"{len(early)} request(s) arrived before the 429's Retry-After ({RETRY_AFTER_S} s) elapsed")
    require(
        not failures,
        f"the consumer gave up on the user within its invocation ({len(failures)} batch item failure(s)): 2 × 429 "
        "and 1 × 500 are within SPEC §7's 5 attempts",
    )
