"""The hosted-UI login in a real Chromium: the §8 DOM (toggle, duplicate form, visible-only inputs) and the
`cognito` session cookie as a browser keeps it. A tiny real server stands in for the backend's callback
(Playwright routing does not intercept the targets of redirects)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sandbox.aws.moto_server import MotoHandle
from sandbox.idp import SESSION_COOKIE
from sandbox.ports import free_port
from sandbox.servers import START_TIMEOUT_S, ThreadedServer
from tests.sandbox.idp.idp_flow import PASSWORD, IdpDriver, Pool, query_of
from tests.sandbox.idp.idp_pool import WEB_CLIENT, cognito

TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def callback_url() -> Iterator[str]:
    """A real page for the browser to land on after the hosted UI redirects."""
    app = Starlette(routes=[Route("/auth/callback", lambda _request: PlainTextResponse("callback reached"))])
    server = ThreadedServer("callback-test", app, free_port())
    server.start()
    try:
        server.wait_started(time.monotonic() + START_TIMEOUT_S)
        yield f"http://localhost:{server.port}/auth/callback"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser_client(moto: MotoHandle, pool: Pool, callback_url: str) -> str:
    """A client like the real one (COGNITO plus a social IdP, so the form hides behind the toggle)."""
    settings = {**WEB_CLIENT, "CallbackURLs": [callback_url], "SupportedIdentityProviders": ["COGNITO", "Google"]}
    made = cognito(moto).create_user_pool_client(UserPoolId=pool.pool_id, ClientName="hhl-browser", **settings)
    return made["UserPoolClient"]["ClientId"]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # pytest-playwright's session browser (Debian chromium via pages.fixtures): one sync Playwright per process.
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def authorize_url(driver: IdpDriver, client_id: str, callback_url: str) -> str:
    params = driver.authorize_params(client_id, redirect_uri=callback_url)
    return f"{driver.base_url}/oauth2/authorize?{urlencode(params)}"


def test_browser_signs_in_behind_the_toggle_and_keeps_the_session(
    driver: IdpDriver, page: Page, browser_client: str, callback_url: str
) -> None:
    page.goto(authorize_url(driver, browser_client, callback_url))
    assert page.locator("#signInFormUsername").count() == 2  # the small-screen copy and the visible one
    assert page.locator("#signInFormUsername:visible").count() == 0  # behind the toggle
    page.locator("button:visible", has_text="Sign in with your email and password").click()
    page.locator("#signInFormUsername:visible").fill(driver.pool.users["ann"])
    page.locator("#signInFormPassword:visible").fill(PASSWORD)
    page.locator("[name=signInSubmitButton]:visible").click()
    page.wait_for_url(f"{callback_url}?**")
    assert page.locator("body").inner_text() == "callback reached"
    query = query_of(page.url)
    assert query["state"] == driver.state
    assert driver.exchange(query["code"], client=browser_client, redirect_uri=callback_url).status_code == 200

    (session,) = [c for c in page.context.cookies(driver.base_url) if c["name"] == SESSION_COOKIE]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    page.goto(authorize_url(driver, browser_client, callback_url))  # the live session skips the form
    page.wait_for_url(f"{callback_url}?**")
    assert "code" in query_of(page.url)


def test_browser_sees_the_login_error(driver: IdpDriver, page: Page, browser_client: str, callback_url: str) -> None:
    page.goto(authorize_url(driver, browser_client, callback_url))
    page.locator("button:visible", has_text="Sign in with your email and password").click()
    page.locator("#signInFormUsername:visible").fill(driver.pool.users["ann"])
    page.locator("#signInFormPassword:visible").fill("not-the-password-1!")
    page.locator("[name=signInSubmitButton]:visible").click()
    message = page.locator("#loginErrorMessage")
    message.wait_for(state="visible")
    assert message.inner_text() == "Incorrect username or password."
    assert page.url.startswith(f"{driver.base_url}/login?")
