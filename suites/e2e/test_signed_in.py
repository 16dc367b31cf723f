"""Signed-in journeys (SPEC §10) on a context holding the shared sign-in's storage state: the page knows the user,
the CTA is upgraded, and the session persists across pages and a reload."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import BrowserContext

from checks.login import ACCESS_COOKIE
from checks.plugin.fixtures import UserCredentials
from pages import CatalogPage, MyLearningPage, NavBar, SitePage, StateMismatch, fail_if
from suites.e2e.journey import View


def _access_fingerprint(context: BrowserContext) -> str | None:
    """A short hash of the access cookie: compares values without ever holding them in evidence."""
    values = sorted(c["value"] for c in context.cookies() if c["name"] == ACCESS_COOKIE)
    return hashlib.sha256("\n".join(values).encode()).hexdigest()[:12] if values else None


@pytest.mark.check("e2e.auth.identity")
def test_identity(signed_in_view: View, test_user: UserCredentials) -> None:
    view = signed_in_view
    me_requests = view.watch_auth_me("request", lambda r: r.method)
    identity = view.course().open()
    view.shot("course-signed-in")
    context = identity.context or {}
    email_matches = context.get("data-email", "").lower() == test_user.username.lower()
    view.evidence.record(
        expected={
            "isAuthenticated": True,
            "auth_me_requests": ">= 1",
            "data-authenticated": "true",
            "data-email": "the test user",
        },
        actual={
            "isAuthenticated": identity.authenticated,
            "auth_me_requests": len(me_requests),
            "data-authenticated": context.get("data-authenticated"),
            "data-email_is_test_user": email_matches,
            "identity": identity.summary(),
        },
    )
    problems = []
    if not identity.is_signed_in:
        problems.append(f"expected a signed-in hhIdentity, the page has {identity.describe()}")
    if not me_requests:
        problems.append("the page never requested /auth/me")
    if context.get("data-authenticated") != "true":
        problems.append(f"#hhl-auth-context data-authenticated={context.get('data-authenticated')!r}")
    if not email_matches:
        problems.append("#hhl-auth-context data-email is not the test user's email")
    fail_if(problems)


@pytest.mark.check("e2e.auth.cta_upgraded")
def test_cta_upgraded(signed_in_view: View) -> None:
    view = signed_in_view
    course = view.course()
    course.open()
    view.evidence.record(expected="button#hhl-enroll-button visible, text without 'sign in'")
    try:
        cta = course.signed_in_cta()
    finally:
        view.shot("course-cta")
    view.evidence.record(actual=f"button#hhl-enroll-button {cta.text()!r}")


@pytest.mark.check("e2e.auth.nav_and_persistence")
def test_nav_and_persistence(signed_in_context: BrowserContext, signed_in_view: View) -> None:
    view = signed_in_view
    before = _access_fingerprint(signed_in_context)
    visited: list[dict[str, str]] = []
    journey: list[SitePage] = [
        CatalogPage(view.page, view.site_urls),
        view.course(),
        MyLearningPage(view.page, view.site_urls),
    ]
    nav = NavBar(view.page)

    def judge(step: str, page: SitePage, reload: bool) -> None:
        identity = page.reload() if reload else page.open()
        view.shot(step)
        visited.append({"page": page.path, "reload": str(reload), "identity": identity.describe()})
        if not identity.is_signed_in:
            raise StateMismatch("a signed-in page", identity.describe(), url=view.page.url)
        nav.expect_signed_in()

    try:
        for page in journey:
            judge(page.path.rsplit("/", 1)[-1] or "learn", page, reload=False)
        judge("reload", journey[-1], reload=True)
    finally:
        view.evidence.record(
            expected={"pages": "3 pages + a reload signed in, nav Sign Out", "access_cookie": "unchanged"},
            actual={
                "visited": visited,
                "access_cookie_before": before,
                "access_cookie_after": _access_fingerprint(signed_in_context),
            },
        )
    assert before is not None, f"no {ACCESS_COOKIE} cookie in the signed-in context"
    assert _access_fingerprint(signed_in_context) == before, f"the {ACCESS_COOKIE} value changed across the pages"
