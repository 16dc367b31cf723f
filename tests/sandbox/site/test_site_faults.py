"""The three site faults of SPEC §10, each planted alone: what the harness must be able to see."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from hhl_backend.content import Catalog
from playwright.sync_api import BrowserContext, Page, expect

from tests.sandbox.site.site_dom import parse_html
from tests.sandbox.site.site_stack import SiteStack, serve_site_stack, sign_in

COURSE_PATH = "/learn/courses/network-like-hyperscaler-foundations"
PAGES = ["/learn", COURSE_PATH, "/learn/pathways/network-like-hyperscaler", "/learn/my-learning", "/learn/register"]
API_CALLS = [("GET", "/auth/me"), ("GET", "/auth/login"), ("POST", "/events/track"), ("GET", "/enrollments/list")]


@pytest.fixture(scope="module")
def faulty_stack(catalog: Catalog) -> Iterator[Callable[[str], SiteStack]]:
    """`faulty_stack(name)`: a site with that one fault planted, started on first use, shared by the module."""
    started: dict[str, SiteStack] = {}
    with ExitStack() as stacks:

        def get(fault: str) -> SiteStack:
            if fault not in started:
                started[fault] = stacks.enter_context(serve_site_stack(catalog, frozenset({fault})))
            return started[fault]

        yield get


def script_sources(stack: SiteStack, path: str) -> list[str]:
    response = httpx.get(stack.site_direct_url + path, trust_env=False)
    assert response.status_code == 200
    doc = parse_html(response.text)
    return [s.attrs["src"].rsplit("/", 1)[-1] for s in doc.select("script") if s.attrs.get("src")]


@pytest.mark.parametrize(("method", "path"), API_CALLS)
def test_api_proxy_off_answers_api_paths_with_the_cms_404(
    faulty_stack: Callable[[str], SiteStack], method: str, path: str
) -> None:
    stack = faulty_stack("site.api_proxy_off")
    direct = httpx.request(method, stack.api_url.replace("localhost", "127.0.0.1") + path, trust_env=False)
    assert direct.status_code != 404  # the API itself answers, so the 404 below is the site's doing
    response = httpx.request(method, stack.site_direct_url + path, trust_env=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert parse_html(response.text).one("h1").text == "Page Not Found"


def test_api_proxy_off_leaves_the_pages_and_their_wiring_intact(faulty_stack: Callable[[str], SiteStack]) -> None:
    stack = faulty_stack("site.api_proxy_off")
    assert script_sources(stack, COURSE_PATH) == ["cognito-auth-integration.js"]


@pytest.mark.parametrize("path", PAGES)
def test_auth_script_missing_drops_the_script_from_every_page(
    faulty_stack: Callable[[str], SiteStack], path: str
) -> None:
    assert script_sources(faulty_stack("site.auth_script_missing"), path) == []


@pytest.mark.parametrize("path", PAGES)
def test_legacy_auth_script_loads_after_ours_on_every_page(faulty_stack: Callable[[str], SiteStack], path: str) -> None:
    stack = faulty_stack("site.legacy_auth_script")
    assert script_sources(stack, path) == ["cognito-auth-integration.js", "auth-context.js"]
    legacy = httpx.get(f"{stack.site_direct_url}/hubfs/learn/auth-context.js", trust_env=False)
    assert legacy.status_code == 200
    assert "javascript" in legacy.headers["content-type"]


def test_missing_auth_script_leaves_a_signed_in_browser_anonymous(
    faulty_stack: Callable[[str], SiteStack], browser_context: BrowserContext, page: Page, page_errors: list[str]
) -> None:
    stack = faulty_stack("site.auth_script_missing")
    sign_in(browser_context, stack)
    page.goto(stack.site_url + COURSE_PATH)
    assert page.evaluate("() => typeof window.hhIdentity") == "undefined"
    expect(page.locator("a#hhl-enroll-login")).to_be_visible()
    expect(page.locator("#hhl-enroll-button")).to_have_count(0)
    assert page.locator("#hhl-auth-context").get_attribute("data-authenticated") is None
    assert page_errors == []


def test_legacy_auth_script_overwrites_hh_identity_with_an_incompatible_object(
    faulty_stack: Callable[[str], SiteStack], browser_context: BrowserContext, page: Page
) -> None:
    stack = faulty_stack("site.legacy_auth_script")
    sign_in(browser_context, stack)
    page.goto(stack.site_url + COURSE_PATH)
    legacy = page.evaluate(
        """() => ({ready: typeof window.hhIdentity.ready, login: typeof window.hhIdentity.login,
                   logout: typeof window.hhIdentity.logout, isReady: typeof window.hhIdentity.isReady,
                   authenticated: window.hhIdentity.isAuthenticated(),
                   loaded: performance.getEntriesByType('resource').map(e => e.name.split('/').pop())})"""
    )
    assert legacy["ready"] == legacy["login"] == legacy["logout"] == legacy["isReady"] == "undefined"
    assert legacy["authenticated"] is False  # the session is valid, but the legacy object cannot know it
    assert {"cognito-auth-integration.js", "auth-context.js"} <= set(legacy["loaded"])
