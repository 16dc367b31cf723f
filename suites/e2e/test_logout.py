"""Sign out (SPEC §10 e2e.logout.reverts) on a copy of the signed-in session: no `hhl_*` cookie is left, the course
shows the sign-in CTA again, and the next authorize asks for credentials (the hosted-UI session ended too)."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from checks.errors import CheckFailure
from checks.evidence import Evidence
from environments import Environment
from pages import CoursePage, HostedUiLogin, NavBar, SiteUrls, StateMismatch, origin_of, session_cookies
from pages.artifacts import StepShots

NAVIGATION_TIMEOUT_MS = 15_000


@pytest.mark.check("e2e.logout.reverts")
def test_logout_reverts(
    signed_in_context: BrowserContext,
    signed_in_page: Page,
    site_urls: SiteUrls,
    env: Environment,
    evidence: Evidence,
    shots: StepShots,
) -> None:
    page = signed_in_page
    course = CoursePage(page, site_urls, env.content.course)
    course.open()
    course.signed_in_cta()
    NavBar(page).expect_signed_in()
    shots(page, "course-signed-in")
    evidence.record(
        expected={
            "ends_on": f"{site_urls.origin}/learn…",
            "hhl_cookies": [],
            "cta": "a#hhl-enroll-login",
            "next_authorize": "login form",
        }
    )
    try:
        with page.expect_navigation(url=lambda url: origin_of(url) == site_urls.origin, timeout=NAVIGATION_TIMEOUT_MS):
            NavBar(page).sign_out()
    except PlaywrightTimeoutError:
        raise CheckFailure(f"after Sign Out the browser did not come back to the site: it is on {page.url}") from None
    shots(page, "after-sign-out")
    left = [c["name"] for c in session_cookies(signed_in_context)]
    evidence.record(actual={"ends_on": page.url, "hhl_cookies": left})
    assert not left, f"after sign-out the browser still holds {left}"

    course.open()
    cta = course.anonymous_cta()
    shots(page, "course-after-sign-out")
    domain = env.cognito.domain or ""
    with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
        cta.click()
    login = HostedUiLogin(page, domain)
    try:
        login.expect_loaded()
    except StateMismatch as exc:
        raise CheckFailure(f"the next sign-in did not ask for credentials again: {exc}") from None
    shots(page, "next-authorize-asks-credentials")  # nothing typed
    evidence.record(
        actual={
            "ends_on": page.url,
            "hhl_cookies": left,
            "cta": "a#hhl-enroll-login",
            "next_authorize": login.describe(),
        }
    )
