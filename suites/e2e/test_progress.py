"""Writing journeys (SPEC §10; run only where the env allows writes, the plugin enforces it): enroll from the
course page, My Learning lists the course, and the module buttons record progress seen by `progress/read`.
Outcomes only: the enrolled state on the page and the API's data, never the request the page sent."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from checks.errors import HarnessError
from checks.evidence import Evidence
from environments import Environment
from pages import (
    BrowserApi,
    CoursePage,
    ModulePage,
    MyLearningPage,
    SiteUrls,
    StateMismatch,
    enrolled_course_slugs,
    find_module_progress,
)
from pages.artifacts import StepShots

ALREADY_DONE = "the test user {what} before this run, so the click could not be proven to cause it"


@pytest.mark.check("e2e.auth.enroll_outcome")
def test_enroll_outcome(
    signed_in_page: Page,
    browser_api: BrowserApi,
    site_urls: SiteUrls,
    env: Environment,
    evidence: Evidence,
    shots: StepShots,
) -> None:
    slug = env.content.course
    course = CoursePage(signed_in_page, site_urls, slug)
    course.open()
    cta = course.signed_in_cta()
    shots(signed_in_page, "course-before-enroll")
    if cta.is_enrolled:
        evidence.warn(ALREADY_DONE.format(what=f"was already enrolled in {slug}"))
    else:
        cta.enroll()
    shots(signed_in_page, "course-enrolled")
    listed = browser_api.get("/enrollments/list")
    course.reload()
    try:
        after_reload = course.enrolled_cta()
    finally:
        shots(signed_in_page, "course-after-reload")
    evidence.record(
        expected={
            "cta": "✓ Enrolled in Course (disabled), also after a reload",
            "enrollments_list": f"contains {slug}",
        },
        actual={"cta_after_reload": after_reload.text(), "enrollments_list": listed.summary()},
    )
    assert slug in enrolled_course_slugs(listed), (
        f"enrollments/list ({listed.status}) does not list {slug}: {enrolled_course_slugs(listed)}"
    )


@pytest.mark.check("e2e.auth.my_learning")
def test_my_learning(
    signed_in_page: Page,
    browser_api: BrowserApi,
    site_urls: SiteUrls,
    env: Environment,
    evidence: Evidence,
    shots: StepShots,
) -> None:
    slug = env.content.course
    listed = browser_api.get("/enrollments/list")
    if slug not in enrolled_course_slugs(listed):
        raise HarnessError(
            f"precondition: the test user is not enrolled in {slug} (enrollments/list {listed.status}); "
            "e2e.auth.enroll_outcome enrolls it: run it first, in the same process"
        )
    page = MyLearningPage(signed_in_page, site_urls)
    page.open()
    try:
        card = page.signed_in().card_for(slug)
    finally:
        shots(signed_in_page, "my-learning")
    evidence.record(expected=f"an .enrollment-card naming {slug}", actual=card.inner_text()[:200])


def _flags(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {"started": bool(row.get("started")), "completed": bool(row.get("completed"))}


@pytest.mark.check("e2e.auth.module_buttons")
def test_module_buttons(
    signed_in_page: Page,
    browser_api: BrowserApi,
    site_urls: SiteUrls,
    env: Environment,
    evidence: Evidence,
    shots: StepShots,
) -> None:
    slug = env.content.module
    module = ModulePage(signed_in_page, site_urls, slug)
    identity = module.open()
    if not identity.is_signed_in:
        raise StateMismatch(
            "a signed-in module page (buttons that can save progress)", identity.describe(), url=signed_in_page.url
        )
    before = browser_api.get("/progress/read")
    before_flags = _flags(find_module_progress(before, slug))
    shots(signed_in_page, "module-before")
    steps: dict[str, Any] = {"before": before_flags}
    evidence.record(
        expected={"after_started": {"started": True}, "after_complete": {"started": True, "completed": True}}
    )

    def click_and_read(step: str, click: Any, flag: str) -> None:
        click()
        module.reload()
        shots(signed_in_page, step)
        read = browser_api.get("/progress/read")
        steps[step] = {
            **_flags(find_module_progress(read, slug)),
            "status": read.status,
            "updated_at": _updated(read.body),
        }
        evidence.record(actual=steps)
        assert steps[step][flag], (
            f"after {step!r} progress/read ({read.status}) shows {slug} {_flags(find_module_progress(read, slug))}"
        )

    click_and_read("after-mark-started", module.mark_started, "started")
    click_and_read("after-mark-complete", module.mark_complete, "completed")
    assert steps["after-mark-complete"]["started"], f"{slug} lost its started flag after completion"
    unchanged = steps["after-mark-complete"]["updated_at"] == _updated(before.body)
    if before_flags["started"] and before_flags["completed"] and unchanged:
        evidence.warn(ALREADY_DONE.format(what=f"had already started and completed {slug}"))


def _updated(body: Any) -> Any:
    return body.get("updated_at") if isinstance(body, dict) else None
