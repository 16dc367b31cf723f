"""Writing journeys (SPEC §10; run only where the env allows writes, the plugin enforces it): enroll from the
course page, My Learning lists the course, and the module buttons record progress seen by `progress/read`.
Outcomes only: the enrolled state on the page and the API's data, never the request the page sent.

The enrollment journey runs as the process's own enrollment user (`enrollment_view`), whose enrollments nothing
else writes (the module buttons and the API checks auto-enroll the content course for the session user), so the
click is provably what enrolled it. My Learning lists that enrollment: it requires e2e.auth.enroll_outcome (catalog
`requires`) and shares its xdist group, so both run in one process, in that order (checks.users)."""

from __future__ import annotations

from typing import Any

import pytest

from checks.errors import HarnessError
from checks.redaction import excerpt
from pages import BrowserApi, ModulePage, MyLearningPage, StateMismatch, enrolled_course_slugs, find_module_progress
from suites.e2e.journey import View

ALREADY_DONE = "the test user {what} before this run, so the click could not be proven to cause it"


@pytest.mark.check("e2e.auth.enroll_outcome")
def test_enroll_outcome(enrollment_view: View, enrollment_api: BrowserApi) -> None:
    view, browser_api = enrollment_view, enrollment_api
    slug = view.env.content.course
    course = view.course()
    course.open()
    cta = course.signed_in_cta()
    view.shot("course-before-enroll")
    if cta.is_enrolled:
        view.evidence.warn(ALREADY_DONE.format(what=f"was already enrolled in {slug}"))
    else:
        cta.enroll()
    view.shot("course-enrolled")
    listed = browser_api.get("/enrollments/list")
    course.reload()
    try:
        after_reload = course.enrolled_cta()
    finally:
        view.shot("course-after-reload")
    view.evidence.record(
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
def test_my_learning(enrollment_view: View, enrollment_api: BrowserApi) -> None:
    view, browser_api = enrollment_view, enrollment_api
    slug = view.env.content.course
    listed = browser_api.get("/enrollments/list")
    if slug not in enrolled_course_slugs(listed):
        raise HarnessError(
            f"precondition: the enrollment user is not enrolled in {slug} (enrollments/list {listed.status}); "
            "e2e.auth.enroll_outcome enrolls it (declared prerequisite, same xdist group: run with --dist loadgroup)"
        )
    page = MyLearningPage(view.page, view.site_urls)
    page.open()
    try:
        card = page.signed_in().card_for(slug)
    finally:
        view.shot("my-learning")
    view.evidence.record(expected=f"an .enrollment-card naming {slug}", actual=excerpt(card.inner_text(), 200))


def _flags(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {"started": bool(row.get("started")), "completed": bool(row.get("completed"))}


@pytest.mark.check("e2e.auth.module_buttons")
def test_module_buttons(signed_in_view: View, browser_api: BrowserApi) -> None:
    view = signed_in_view
    slug = view.env.content.module
    module = ModulePage(view.page, view.site_urls, slug)
    identity = module.open()
    if not identity.is_signed_in:
        raise StateMismatch(
            "a signed-in module page (buttons that can save progress)", identity.describe(), url=view.page.url
        )
    before = browser_api.get("/progress/read")
    before_flags = _flags(find_module_progress(before, slug))
    view.shot("module-before")
    steps: dict[str, Any] = {"before": before_flags}
    view.evidence.record(
        expected={"after_started": {"started": True}, "after_complete": {"started": True, "completed": True}}
    )

    def click_and_read(step: str, click: Any, flag: str) -> None:
        click()
        module.reload()
        view.shot(step)
        read = browser_api.get("/progress/read")
        steps[step] = {
            **_flags(find_module_progress(read, slug)),
            "status": read.status,
            "updated_at": _updated(read.body),
        }
        view.evidence.record(actual=steps)
        assert steps[step][flag], (
            f"after {step!r} progress/read ({read.status}) shows {slug} {_flags(find_module_progress(read, slug))}"
        )

    click_and_read("after-mark-started", module.mark_started, "started")
    click_and_read("after-mark-complete", module.mark_complete, "completed")
    assert steps["after-mark-complete"]["started"], f"{slug} lost its started flag after completion"
    unchanged = steps["after-mark-complete"]["updated_at"] == _updated(before.body)
    if before_flags["started"] and before_flags["completed"] and unchanged:
        view.evidence.warn(ALREADY_DONE.format(what=f"had already started and completed {slug}"))


def _updated(body: Any) -> Any:
    return body.get("updated_at") if isinstance(body, dict) else None
