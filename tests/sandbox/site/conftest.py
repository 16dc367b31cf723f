"""Fixtures for the sandbox site tests: the catalog, a served site + stub API, and one Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hhl_backend.content import Catalog, load_catalog
from playwright.sync_api import Browser, BrowserContext, Page

from tests.sandbox.site.site_stack import SiteStack, serve_site_stack, sign_in
from tests.sandbox.site.site_stub_api import StubApiState

BROWSER_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def stack(catalog: Catalog) -> Iterator[SiteStack]:
    """The healthy site and its stub API, shared by a module's tests."""
    with serve_site_stack(catalog) as served:
        yield served


@pytest.fixture
def api(stack: SiteStack) -> Iterator[StubApiState]:
    """The stub API's state, reset for each test so tests never see each other's enrollments or events."""
    stack.api.reset()
    yield stack.api
    stack.api.reset()


@pytest.fixture
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    # pytest-playwright's session browser (Debian chromium via pages.fixtures): one sync Playwright per process.
    context = browser.new_context()
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page_errors(browser_context: BrowserContext) -> list[str]:
    """Uncaught page exceptions of every page in the context (the auth script must never throw)."""
    errors: list[str] = []
    browser_context.on("page", lambda page: page.on("pageerror", lambda exc: errors.append(str(exc))))
    return errors


@pytest.fixture
def page(browser_context: BrowserContext, page_errors: list[str]) -> Page:
    return browser_context.new_page()


@pytest.fixture
def signed_in(browser_context: BrowserContext, stack: SiteStack) -> None:
    sign_in(browser_context, stack)
