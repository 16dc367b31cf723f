"""The sync's observable properties on the test user's own contact (SPEC §7): a signed-in enrollment reaches
`hhl_enrolled_courses`/`hhl_last_activity`, and progress reaches `hhl_total_progress`/`hhl_progress_state`, each
within the env's `crm.sync_deadline_s`. Judged through HubSpot's own API, so any consumer implementation passes
that keeps the contact equal to what the API reports."""

from __future__ import annotations

import time
from typing import Any

import pytest

from checks.crm.hubspot import HubSpotReader
from checks.evidence import Evidence
from environments import Environment
from suites.crm.sync import (
    Learner,
    completed_modules,
    course_set,
    expect_reflected,
    number,
    state_json,
    today_utc,
    watch,
)


def portal_answers(request: pytest.FixtureRequest, env: Environment, email: str) -> str:
    """[local] Why the contact did not change: what the stand-in answered about it other than 200 (its 400s...)."""
    if env.kind != "local":
        return ""
    ledger = request.getfixturevalue("standin").requests(email)
    answers = sorted(
        {f"{e.get('method')} {e.get('path')} → {e.get('status')}" for e in ledger if e.get("status") != 200}
    )
    return f" (the stand-in answered about this contact: {', '.join(answers) or 'only 200'})"


ENROLLMENT_PROPERTIES = ("hhl_enrolled_courses", "hhl_last_activity")
PROGRESS_PROPERTIES = ("hhl_total_progress", "hhl_progress_state")


def contact_reader(hubspot: HubSpotReader, email: str, properties: tuple[str, ...]) -> Any:
    def read() -> dict[str, Any] | None:
        contact = hubspot.contact(email, properties)
        return {name: contact.get(name) for name in properties} if contact else None

    return read


@pytest.mark.check("crm.sync.enrollment_reflected")
def test_enrollment_reflected(
    hubspot: HubSpotReader, learner: Learner, env: Environment, evidence: Evidence, request: pytest.FixtureRequest
) -> None:
    course, email = env.content.course, learner.email()
    first_day = today_utc()
    read = contact_reader(hubspot, email, ENROLLMENT_PROPERTIES)

    def reflected(props: dict[str, Any]) -> bool:
        # The UTC day of the enrollment; a run crossing midnight may see the next one.
        return course in course_set(props["hhl_enrolled_courses"]) and props["hhl_last_activity"] in {
            first_day,
            today_utc(),
        }

    before = read()
    if before is not None and reflected(before):
        # A reserved user enrolled by an earlier run today: the set never shrinks, so this run's sync cannot be
        # told apart here (crm.sync.success_rate's fresh page views can).
        evidence.note("the contact already reflected the enrollment before this run's event (an earlier run today)")
    learner.enroll(course, env.content.pathway)
    sent = time.monotonic()
    result = watch(read, reflected, deadline_s=env.crm.sync_deadline_s)
    why = "" if result.reflected else portal_answers(request, env, email)
    expect_reflected(
        evidence,
        result,
        {
            "hhl_enrolled_courses": f"contains {course}",
            "hhl_last_activity": first_day,
            "deadline_s": env.crm.sync_deadline_s,
        },
        f"the enrollment in {course}{why}",
    )
    evidence.record(actual={**result.summary(), "latency_s": round(time.monotonic() - sent, 2)})


@pytest.mark.check("crm.sync.progress_reflected")
def test_progress_reflected(hubspot: HubSpotReader, learner: Learner, env: Environment, evidence: Evidence) -> None:
    course, module, email = env.content.course, env.content.module, learner.email()
    learner.module("started", course, module)
    learner.module("completed", course, module)
    first = learner.progress()
    wanted: dict[str, Any] = {"progress": first, "completed": completed_modules(first)}

    def reflected(props: dict[str, Any]) -> bool:
        # progress/read is the truth the contact must equal; read again each time (the sync converges on it).
        progress = learner.progress()
        wanted.update(progress=progress, completed=completed_modules(progress))
        return number(props["hhl_total_progress"]) == wanted["completed"] and (
            state_json(props["hhl_progress_state"]) == progress
        )

    result = watch(contact_reader(hubspot, email, PROGRESS_PROPERTIES), reflected, deadline_s=env.crm.sync_deadline_s)
    expect_reflected(
        evidence,
        result,
        {
            "hhl_total_progress": wanted["completed"],
            "hhl_progress_state": "JSON equal to progress/read.progress",
            "progress/read.progress": wanted["progress"],
        },
        "the progress of progress/read",
    )
