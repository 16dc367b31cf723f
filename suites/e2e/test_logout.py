"""Sign out (SPEC §10 e2e.logout.reverts) on a copy of the signed-in session: no `hhl_*` cookie is left, the course
shows the sign-in CTA again, and the next authorize asks for credentials (the hosted-UI session ended too)."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from checks.errors import CheckFailure
from pages import HostedUiLogin, NavBar, StateMismatch, origin_of, session_cookies
from suites.e2e.journey import View

NAVIGATION_TIMEOUT_MS = 15_000


@pytest.mark.check("e2e.logout.reverts")
def test_logout_reverts(signed_in_context: BrowserContext, signed_in_view: View) -> None:
    view, page, site_urls = signed_in_view, signed_in_view.page, signed_in_view.site_urls
    course = view.course()
    course.open()
    course.signed_in_cta()
    NavBar(page).expect_signed_in()
    view.shot("course-signed-in")
    view.evidence.record(
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
    view.shot("after-sign-out")
    left = [c["name"] for c in session_cookies(signed_in_context)]
    view.evidence.record(actual={"ends_on": page.url, "hhl_cookies": left})
    assert not left, f"after sign-out the browser still holds {left}"

    course.open()
    cta = course.anonymous_cta()
    view.shot("course-after-sign-out")
    domain = view.env.cognito.domain or ""
    with page.expect_navigation(timeout=NAVIGATION_TIMEOUT_MS):
        cta.click()
    login = HostedUiLogin(page, domain)
    try:
        login.expect_loaded()
    except StateMismatch as exc:
        raise CheckFailure(f"the next sign-in did not ask for credentials again: {exc}") from None
    view.shot("next-authorize-asks-credentials")  # nothing typed
    view.evidence.record(
        actual={
            "ends_on": page.url,
            "hhl_cookies": left,
            "cta": "a#hhl-enroll-login",
            "next_authorize": login.describe(),
        }
    )
