"""The auth script in Chromium (SPEC §8): identity, CTA upgrade and enrollment, nav, My Learning, module buttons.

The site is served by uvicorn and driven at `http://localhost:<port>`, talking cross-port to a stub API.
"""

from __future__ import annotations

from typing import Any

import pytest
from hhl_backend.content import Catalog
from playwright.sync_api import BrowserContext, Page, expect

from tests.sandbox.site.site_stack import SiteStack
from tests.sandbox.site.site_stub_api import PROFILE, StubApiState

COURSE = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
MODULE = "fabric-operations-welcome"
IDENTITY_KEYS = {"email", "contactId", "userId", "displayName", "firstname", "lastname", "authenticated"}
ANONYMOUS = {key: "" for key in IDENTITY_KEYS} | {"authenticated": False}
# Recorded before any page script runs, so the test sees the event whenever it fires.
RECORD_IDENTITY_EVENTS = """
window.__hhlIdentityEvents = [];
document.addEventListener('hhl:identity', (e) => window.__hhlIdentityEvents.push(e.detail));
"""


def identity_after_ready(page: Page) -> dict[str, Any]:
    return page.evaluate("() => window.hhIdentity.ready")


def context_attributes(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.getElementById('hhl-auth-context').attributes]
                 .filter(a => a.name.startsWith('data-') && !a.name.startsWith('data-auth-'))
                 .map(a => [a.name, a.value]))"""
    )


def test_anonymous_page_publishes_an_anonymous_identity_and_keeps_the_sign_in_cta(
    page: Page, stack: SiteStack, api: StubApiState, page_errors: list[str]
) -> None:
    page.add_init_script(RECORD_IDENTITY_EVENTS)
    page.goto(f"{stack.site_url}/learn/courses/{COURSE}")
    assert identity_after_ready(page) == ANONYMOUS
    api_shape = page.evaluate(
        """() => ({ready: window.hhIdentity.ready instanceof Promise,
                   fns: ['get', 'isAuthenticated', 'isReady', 'login', 'logout']
                        .filter(n => typeof window.hhIdentity[n] === 'function'),
                   isReady: window.hhIdentity.isReady(), isAuthenticated: window.hhIdentity.isAuthenticated(),
                   get: window.hhIdentity.get(), events: window.__hhlIdentityEvents})"""
    )
    assert api_shape == {
        "ready": True,
        "fns": ["get", "isAuthenticated", "isReady", "login", "logout"],
        "isReady": True,
        "isAuthenticated": False,
        "get": ANONYMOUS,
        "events": [ANONYMOUS],
    }
    assert context_attributes(page) == {
        "data-api-base-url": stack.api_url,
        "data-authenticated": "false",
        "data-email": "",
        "data-user-id": "",
        "data-contact-id": "",
    }
    expect(page.locator("a#hhl-enroll-login.enrollment-button")).to_have_text("Sign in to start course")
    expect(page.locator("#hhl-enroll-helper")).to_be_visible()
    expect(page.locator("#hhl-enroll-button")).to_have_count(0)
    expect(page.locator("a.learn-auth-link")).to_have_text(["Register", "Sign In"])
    expect(page.locator("h1")).to_be_visible()
    assert page_errors == []


def test_login_navigates_to_the_login_url_with_the_encoded_redirect(page: Page, stack: SiteStack) -> None:
    page.goto(f"{stack.site_url}/learn/courses/{COURSE}?a=1")
    page.evaluate("() => window.hhIdentity.ready")
    page.evaluate("() => window.hhIdentity.login()")
    expected = f"{stack.api_url}/auth/login?redirect_url=%2Flearn%2Fcourses%2F{COURSE}%3Fa%3D1"
    page.wait_for_url(expected)  # raises on timeout
    assert page.url == expected
    page.goto(f"{stack.site_url}/learn")
    page.evaluate("() => window.hhIdentity.login('/learn/my-learning#top')")
    expected = f"{stack.api_url}/auth/login?redirect_url=%2Flearn%2Fmy-learning%23top"
    page.wait_for_url(expected)
    assert page.url == expected


@pytest.mark.parametrize("failure", ["status_500", "network_error"])
def test_api_failures_leave_the_page_anonymous_and_working(
    page: Page,
    browser_context: BrowserContext,
    stack: SiteStack,
    api: StubApiState,
    page_errors: list[str],
    failure: str,
) -> None:
    browser_context.add_cookies([{"name": "hhl_access_token", "value": "irrelevant", "url": stack.api_url}])
    if failure == "status_500":
        api.me_status = 500
    else:
        page.route(f"{stack.api_url}/auth/me", lambda route: route.abort("connectionrefused"))
    page.goto(f"{stack.site_url}/learn/courses/{COURSE}")
    assert identity_after_ready(page) == ANONYMOUS
    assert context_attributes(page)["data-authenticated"] == "false"
    expect(page.locator("#hhl-enroll-login")).to_be_visible()
    assert page_errors == []


@pytest.mark.usefixtures("signed_in")
def test_signed_in_identity_attributes_and_nav(page: Page, stack: SiteStack, api: StubApiState) -> None:
    page.goto(f"{stack.site_url}/learn")
    identity = identity_after_ready(page)
    assert identity == {
        "email": PROFILE["email"],
        "contactId": PROFILE["hubspotContactId"],
        "userId": PROFILE["userId"],
        "displayName": PROFILE["displayName"],
        "firstname": PROFILE["givenName"],
        "lastname": PROFILE["familyName"],
        "authenticated": True,
    }
    assert page.evaluate("() => window.hhIdentity.isAuthenticated()") is True
    assert context_attributes(page) == {
        "data-api-base-url": stack.api_url,
        "data-authenticated": "true",
        "data-email": PROFILE["email"],
        "data-user-id": PROFILE["userId"],
        "data-contact-id": PROFILE["hubspotContactId"],
        "data-firstname": PROFILE["givenName"],
        "data-lastname": PROFILE["familyName"],
    }
    expect(page.locator("a.learn-auth-link")).to_have_text(["Sign Out"])
    expect(page.locator("a.learn-auth-link")).to_have_attribute("href", f"{stack.api_url}/auth/logout")
    expect(page.locator("#auth-user-greeting")).to_have_text("Hi, Ada!")


@pytest.mark.usefixtures("signed_in")
def test_logout_navigates_to_the_logout_url(page: Page, stack: SiteStack, api: StubApiState) -> None:
    page.goto(f"{stack.site_url}/learn")
    page.evaluate("() => window.hhIdentity.ready")
    with page.expect_request(f"{stack.api_url}/auth/logout") as logout:  # raises if never requested
        page.evaluate("() => window.hhIdentity.logout('/learn')")
    assert logout.value.method == "GET" and logout.value.is_navigation_request()


@pytest.mark.usefixtures("signed_in")
@pytest.mark.parametrize(
    ("path", "start", "enrolled", "event", "slug_field"),
    [
        (f"/learn/courses/{COURSE}", "Start Course", "✓ Enrolled in Course", "learning_course_enrolled", "course_slug"),
        (
            f"/learn/pathways/{PATHWAY}",
            "Enroll in Pathway",
            "✓ Enrolled in Pathway",
            "learning_pathway_enrolled",
            "pathway_slug",
        ),
    ],
)
def test_signed_in_cta_checks_enrollment_then_enrolls_and_survives_reload(
    page: Page, stack: SiteStack, api: StubApiState, path: str, start: str, enrolled: str, event: str, slug_field: str
) -> None:
    api.enrollments_gate.clear()  # hold /enrollments/list so the checking state is observable
    page.goto(stack.site_url + path)
    button = page.locator("button#hhl-enroll-button")
    expect(button).to_have_text("Checking enrollment...")
    expect(page.locator("#hhl-enroll-login")).to_have_count(0)
    expect(page.locator("#hhl-enroll-helper")).to_be_hidden()
    api.enrollments_gate.set()
    expect(button).to_have_text(start)
    expect(button).to_be_enabled()
    slug = COURSE if slug_field == "course_slug" else PATHWAY
    expect(button).to_have_attribute("data-content-slug", slug)
    button.click()
    expect(button).to_have_text(enrolled)
    expect(button).to_be_disabled()
    assert [(e["eventName"], e[slug_field], e["_signed_in"]) for e in api.events] == [(event, slug, True)]
    page.reload()
    expect(page.locator("button#hhl-enroll-button")).to_have_text(enrolled)
    expect(page.locator("button#hhl-enroll-button")).to_be_disabled()


@pytest.mark.usefixtures("signed_in")
def test_a_failed_enrollment_keeps_the_button_usable(page: Page, stack: SiteStack, api: StubApiState) -> None:
    page.goto(f"{stack.site_url}/learn/courses/{COURSE}")
    button = page.locator("button#hhl-enroll-button")
    expect(button).to_have_text("Start Course")
    page.route(f"{stack.api_url}/events/track", lambda route: route.fulfill(status=500, body="{}"))
    button.click()
    expect(page.locator("#hhl-enroll-status")).to_have_attribute("data-state", "error")
    expect(button).to_have_text("Start Course")
    expect(button).to_be_enabled()


@pytest.mark.usefixtures("signed_in")
def test_my_learning_shows_a_card_per_enrollment_with_module_links(
    page: Page, stack: SiteStack, api: StubApiState, catalog: Catalog
) -> None:
    api.courses.append(COURSE)
    api.pathways.append(PATHWAY)
    page.goto(f"{stack.site_url}/learn/my-learning")
    expect(page.locator("#hhl-my-learning")).to_have_attribute("data-state", "loaded")
    cards = page.locator(".enrollment-card")
    expect(cards).to_have_count(2)
    course_card = page.locator(f".enrollment-card[data-content-slug='{COURSE}']")
    expect(course_card).to_contain_text(COURSE)
    module_hrefs = course_card.locator("a.module-card").evaluate_all("links => links.map(a => a.pathname)")
    assert module_hrefs == [f"/learn/modules/{m.slug}" for m in catalog.courses[COURSE].modules]
    expect(page.locator(f".enrollment-card[data-content-slug='{PATHWAY}']")).to_contain_text(PATHWAY)
    expect(page.locator("a.my-learning-signin")).to_be_hidden()


def test_my_learning_anonymous_has_a_sign_in_link_and_no_cards(page: Page, stack: SiteStack, api: StubApiState) -> None:
    api.courses.append(COURSE)  # enrollments exist, but nobody is signed in
    page.goto(f"{stack.site_url}/learn/my-learning")
    page.evaluate("() => window.hhIdentity.ready")
    expect(page.locator("a.my-learning-signin")).to_be_visible()
    expect(page.locator(".enrollment-card")).to_have_count(0)
    expect(page.locator("#hhl-my-learning")).to_have_attribute("data-state", "anonymous")


@pytest.mark.usefixtures("signed_in")
def test_module_buttons_post_progress_events_with_credentials(page: Page, stack: SiteStack, api: StubApiState) -> None:
    page.goto(f"{stack.site_url}/learn/modules/{MODULE}")
    status = page.locator("#hhl-module-status")
    page.locator("#hhl-mark-started").click()
    expect(status).to_have_text("Marked as started.")
    page.locator("#hhl-mark-complete").click()
    expect(status).to_have_text("Marked complete.")
    assert [(e["eventName"], e["payload"], e["_signed_in"]) for e in api.events] == [
        ("learning_module_started", {"module_slug": MODULE, "course_slug": COURSE}, True),
        ("learning_module_completed", {"module_slug": MODULE, "course_slug": COURSE}, True),
    ]


def test_module_buttons_anonymous_say_progress_is_not_saved(page: Page, stack: SiteStack, api: StubApiState) -> None:
    page.goto(f"{stack.site_url}/learn/modules/{MODULE}")
    page.locator("#hhl-mark-started").click()
    expect(page.locator("#hhl-module-status")).to_have_text("Sign in to save your progress.")
    assert [(e["eventName"], e["_signed_in"]) for e in api.events] == [("learning_module_started", False)]
