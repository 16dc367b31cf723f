"""The browser sign-in journey, run once per test session (SPEC §10 e2e.login.full_flow): course page → CTA →
hosted UI → credentials → back on the site. Its outcome (where the browser ended, the cookies' flags, step
screenshots, the trace chunks) is judged by e2e.login.full_flow; its storage state (cookies: secret, memory only)
serves every signed-in journey.

Lockout guard: a rejected sign-in is recorded in the run's shared directory and never retried by any process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser

from checks.errors import CredentialsRejected, LoginRefused
from checks.login import ACCESS_COOKIE, REFRESH_COOKIE, LockoutGuard
from checks.redaction import excerpt
from checks.secrets import register_secret
from pages.api import session_cookies
from pages.artifacts import ContextTracer, has_typed_password
from pages.base import SiteUrls, origin_of
from pages.course import CoursePage
from pages.hosted_ui import HostedUiLogin

__all__ = [
    "COOKIE_FLAGS",
    "HostedUiRefused",
    "SignInOutcome",
    "browser_sign_in",
    "cookie_flags",
    "cookie_problems",
]

COOKIE_FLAG_KEYS = ("name", "domain", "path", "httpOnly", "secure", "sameSite", "expires")
PAGE_TEXT_CHARS = 500


# SPEC §3.3 as a browser stores it (Max-Age is judged by security.cookies.flags over HTTP: the jar keeps an expiry).
COOKIE_FLAGS: dict[str, dict[str, Any]] = {
    ACCESS_COOKIE: {"httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/"},
    REFRESH_COOKIE: {"httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/auth"},
}


def cookie_problems(cookies: list[dict[str, Any]], document_cookie_names: list[str]) -> list[str]:
    """Every way the session cookies differ from §3.3, and any `hhl_*` cookie readable by `document.cookie`."""
    problems = []
    by_name = {c["name"]: c for c in cookies}
    for name, flags in COOKIE_FLAGS.items():
        cookie = by_name.get(name)
        if cookie is None:
            problems.append(f"no {name} cookie after sign-in")
            continue
        wrong = {k: cookie.get(k) for k, v in flags.items() if cookie.get(k) != v}
        if wrong:
            problems.append(f"{name} has {wrong} (expected {flags})")
    exposed = sorted(n for n in document_cookie_names if n.startswith("hhl_"))
    if exposed:
        problems.append(f"document.cookie exposes {exposed}: session cookies must be HttpOnly")
    return problems


def cookie_flags(cookies: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The cookies without their values: what evidence may show."""
    return [{k: c.get(k) for k in COOKIE_FLAG_KEYS} for c in cookies]


class HostedUiRefused(LoginRefused):
    """The hosted UI answered as the IdP but refused the site's authorize request (e.g. `redirect_mismatch`: the
    env's callback URL is not registered on the app client). A defect of the target, judged by e2e.login.full_flow;
    every other signed-in journey cannot run (error)."""

    def __init__(self, where: str, error: str) -> None:
        super().__init__(f"the hosted UI refused the site's sign-in request: {where}")
        self.where, self.error = where, error


@dataclass
class SignInOutcome:
    course_url: str
    final_url: str
    page_text: str  # the first characters of the page the browser landed on
    document_cookie_names: list[str]  # what `document.cookie` exposes on the landing page (names only)
    cookies: list[dict[str, Any]]  # hhl_* cookies without values
    storage_state: dict[str, Any] = field(repr=False)
    screenshots: list[tuple[str, bytes]] = field(default_factory=list, repr=False)
    tracer: ContextTracer | None = field(default=None, repr=False)

    @property
    def final_origin(self) -> str:
        return origin_of(self.final_url)


def _shoot(page: Any, shots: list[tuple[str, bytes]], step: str) -> None:
    if not has_typed_password(page):
        shots.append((step, page.screenshot()))


def browser_sign_in(
    browser: Browser,
    context_args: dict[str, Any],
    *,
    urls: SiteUrls,
    course_slug: str,
    hosted_ui: str,
    username: str,
    password: str,
    tracer: ContextTracer,
    guard: LockoutGuard,
) -> SignInOutcome:
    """Sign in through the site's CTA. Raises LoginFailed (and arms the guard) when the hosted UI rejects the
    credentials or never shows its form; any other landing place is an outcome for the check to judge."""
    guard.check()
    register_secret(password)
    tracer.forbid(password)
    context = browser.new_context(**context_args)
    tracer.start(context)
    shots: list[tuple[str, bytes]] = []
    try:
        page = context.new_page()
        course = CoursePage(page, urls, course_slug)
        course.open()
        cta = course.anonymous_cta()
        _shoot(page, shots, "course-anonymous")
        cta.click()
        login = HostedUiLogin(page, hosted_ui)
        page.wait_for_url(lambda url: origin_of(url) == origin_of(hosted_ui))
        if login.on_error_page():  # nothing typed, no lockout risk: the guard stays unarmed
            raise HostedUiRefused(login.describe(), login.error_code())
        try:
            login.expect_loaded()
        except AssertionError as exc:
            raise guard.trip(LoginRefused(f"browser sign-in: {exc}")) from None
        _shoot(page, shots, "hosted-ui-login")  # before any credential is typed
        tracer.pause()  # the typed credentials never enter a trace
        result = login.sign_in(username, password)
        if result.rejected:
            message = f"the hosted UI rejected the test user's credentials: {result.error_message}"
            raise guard.trip(CredentialsRejected(message))
        _shoot(page, shots, "after-sign-in")
        state = context.storage_state()
        cookies = session_cookies(context)
        for cookie in cookies:
            register_secret(cookie.get("value"))
        names = page.evaluate("() => document.cookie.split(';').map((c) => c.split('=')[0].trim()).filter(Boolean)")
        final_url, page_text = page.url, excerpt(page.locator("body").inner_text(), PAGE_TEXT_CHARS)
        # The landing document's redirect chain includes the credential POST, so any trace of it would hold the
        # password: the trace resumes with a fresh load of the same URL (the leak check in ContextTracer backs this).
        tracer.resume()
        page.goto(final_url)
        return SignInOutcome(
            course_url=course.url(),
            final_url=final_url,
            page_text=page_text,
            document_cookie_names=names,
            cookies=cookie_flags(cookies),
            storage_state=dict(state),
            screenshots=shots,
            tracer=tracer,
        )
    finally:
        tracer.stop()
        context.close()
