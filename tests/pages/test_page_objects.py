"""Page objects against static HTML in a real browser (routes stand in for the site and the hosted UI): each
state object fails naming the element that was rendered, and the login page object fills only visible inputs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route

from pages import CoursePage, HostedUiLogin, MyLearningPage, NavBar, SiteUrls, StateMismatch
from pages.artifacts import has_typed_password
from pages.identity import read_identity

SITE = "https://site.test"
IDP = "https://idp.test"
FAST_MS = 500

ANONYMOUS_CTA = """<h1>Course</h1><section id="hhl-enrollment-cta">
<a id="hhl-enroll-login" class="enrollment-button" href="/auth/login?redirect_url=%2Flearn">Sign in to start course</a>
</section><div><a class="learn-auth-link" href="/learn/register">Register</a>
<a class="learn-auth-link" href="/auth/login">Sign In</a></div>"""
ENROLLED_CTA = """<h1>Course</h1><section id="hhl-enrollment-cta">
<button id="hhl-enroll-button" disabled>✓ Enrolled in Course</button></section>"""
# The classic Cognito page: two copies of the form, the first hidden; the toggle hides the visible form.
LOGIN = """<div style="display:none"><form><input id="signInFormUsername">
<input id="signInFormPassword" type="password"><input name="signInSubmitButton" type="submit"></form></div>
<div><button type="button" onclick="this.nextElementSibling.style.display='block'; this.style.display='none'">
Sign in with your email and password</button><form style="display:none" action="/login" method="post">
<input id="signInFormUsername" name="username"><input id="signInFormPassword" name="password" type="password">
<input name="signInSubmitButton" type="submit"></form></div>"""


def serve(page: Page, url: str, html: str) -> None:
    def fulfil(route: Route) -> None:
        body = f"<!doctype html><html><head><meta charset=utf-8></head><body>{html}</body></html>"
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(url, fulfil)
    page.goto(url)


def test_signed_in_cta_names_the_anonymous_link_it_found(page: Page) -> None:
    serve(page, f"{SITE}/learn/courses/c", ANONYMOUS_CTA)
    course = CoursePage(page, SiteUrls(SITE), "c")
    assert course.anonymous_cta(FAST_MS).text() == "Sign in to start course"
    with pytest.raises(StateMismatch) as failure:
        course.signed_in_cta(FAST_MS)
    expected = "expected button#hhl-enroll-button (signed-in CTA) but the page shows "
    assert str(failure.value).startswith(expected + "#hhl-enroll-login 'Sign in to start course'")


def test_anonymous_cta_names_the_enrolled_button_it_found(page: Page) -> None:
    serve(page, f"{SITE}/learn/courses/c", ENROLLED_CTA)
    course = CoursePage(page, SiteUrls(SITE), "c")
    assert course.enrolled_cta(FAST_MS).text() == "✓ Enrolled in Course"
    assert course.signed_in_cta(FAST_MS).is_enrolled
    with pytest.raises(StateMismatch, match=r"shows button#hhl-enroll-button '✓ Enrolled in Course' \(disabled\)"):
        course.anonymous_cta(FAST_MS)


def test_nav_states(page: Page) -> None:
    serve(page, f"{SITE}/learn", ANONYMOUS_CTA)
    nav = NavBar(page)
    nav.expect_anonymous(FAST_MS)
    with pytest.raises(StateMismatch, match=r"nav links \['Register', 'Sign In'\]"):
        nav.expect_signed_in(FAST_MS)


def test_my_learning_card_must_name_the_slug(page: Page) -> None:
    card = '<article class="enrollment-card">other-course</article>'
    serve(page, f"{SITE}/learn/my-learning", f"<h1>My Learning</h1>{card}")
    my_learning = MyLearningPage(page, SiteUrls(SITE))
    shown = r"a .enrollment-card for 'wanted-course'.*1 .enrollment-card \[other-course\]"
    with pytest.raises(StateMismatch, match=shown):
        my_learning.signed_in().card_for("wanted-course", FAST_MS)
    with pytest.raises(StateMismatch, match="anonymous My Learning"):
        my_learning.anonymous(FAST_MS)


def test_login_page_clicks_the_toggle_and_fills_only_visible_inputs(page: Page) -> None:
    serve(page, f"{IDP}/login?client_id=abc&code_challenge=x", LOGIN)
    login = HostedUiLogin(page, IDP).expect_loaded(FAST_MS)
    assert login.authorize_params()["client_id"] == "abc"
    login.username.fill("user@example.com")
    login.password.fill("typed-secret")
    values = page.locator("input#signInFormPassword").evaluate_all("els => els.map(e => e.value)")
    assert values == ["", "typed-secret"]  # the hidden copy stays empty
    assert has_typed_password(page)  # so StepShots refuses to screenshot this page


def test_login_page_elsewhere_names_where_the_browser_is(page: Page) -> None:
    serve(page, f"{IDP}/error?error=redirect_mismatch", "<h1>An error was encountered</h1>")
    with pytest.raises(StateMismatch, match=r"shows https://idp.test/error \(error=redirect_mismatch\)"):
        HostedUiLogin(page, IDP).expect_loaded(FAST_MS)


IDENTITY_SCRIPT = """window.hhIdentity = {ready: Promise.resolve({email: 'a@b.test'}), get: () => null,
isAuthenticated: () => true, isReady: () => true, login: () => {}, logout: () => {}};"""


def test_a_page_without_the_auth_script_reads_missing(page: Page) -> None:
    serve(page, f"{SITE}/learn", "<h1>Learn</h1>")
    assert read_identity(page, timeout_ms=FAST_MS).status == "missing"


def test_a_script_that_arrives_after_the_load_event_is_still_waited_for(page: Page) -> None:
    """A tag manager busy on the network after `load` (five requests 300 ms apart, then the script): the wait lasts
    while the network does, past the settle time."""
    page.route(f"{SITE}/beacon", lambda route: route.fulfill(body="ok"))
    page.route(f"{SITE}/late.js", lambda route: route.fulfill(body=IDENTITY_SCRIPT))
    loader = """<script>addEventListener('load', async () => {
      for (let i = 0; i < 5; i++) { await fetch('/beacon'); await new Promise((r) => setTimeout(r, 300)); }
      const s = document.createElement('script'); s.src = '/late.js'; document.head.appendChild(s);
    });</script>"""
    serve(page, f"{SITE}/learn", f"<h1>Learn</h1>{loader}")
    snapshot = read_identity(page, timeout_ms=FAST_MS)
    assert (snapshot.status, snapshot.identity) == ("ready", {"email": "a@b.test"})
