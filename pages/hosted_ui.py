"""The hosted-UI login page (SPEC §8 last row, §9): real Cognito's classic UI or the sandbox stand-in.

The form may sit behind the "Sign in with your email and password" toggle and may exist twice with one copy
visible: the toggle is clicked when shown and only visible inputs are filled. Screenshots of this page are taken
before anything is typed (SPEC §11.1); nothing here ever screenshots a typed password.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, expect

from pages.base import DEFAULT_TIMEOUT_MS, StateMismatch, origin_of

__all__ = ["HostedUiLogin", "SubmitResult"]

TOGGLE_TEXT = "Sign in with your email and password"
# The POST, the code exchange on the API and the redirect back to the site, each a network round trip.
SUBMIT_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class SubmitResult:
    """Where the browser was after the credentials were submitted. `rejected`: still on the hosted UI."""

    url: str
    rejected: bool
    error_message: str = ""


class HostedUiLogin:
    def __init__(self, page: Page, domain: str) -> None:
        self.page = page
        self.domain = domain.rstrip("/")

    def _visible(self, selector: str) -> Locator:
        return self.page.locator(selector).filter(visible=True).first

    @property
    def username(self) -> Locator:
        return self._visible("input#signInFormUsername")

    @property
    def password(self) -> Locator:
        return self._visible("input#signInFormPassword")

    @property
    def submit(self) -> Locator:
        return self._visible('[name="signInSubmitButton"]')

    @property
    def toggle(self) -> Locator:
        return self.page.get_by_text(TOGGLE_TEXT).filter(visible=True).first

    def on_login_page(self) -> bool:
        parts = urlsplit(self.page.url)
        return origin_of(self.page.url) == origin_of(self.domain) and parts.path.rstrip("/").endswith("/login")

    def on_error_page(self) -> bool:
        """The IdP answered as itself but refused the request (Cognito's `/error?error=redirect_mismatch` ...)."""
        parts = urlsplit(self.page.url)
        return origin_of(self.page.url) == origin_of(self.domain) and parts.path.rstrip("/").endswith("/error")

    def error_code(self) -> str:
        return parse_qs(urlsplit(self.page.url).query).get("error", [""])[0]

    def describe(self) -> str:
        parts = urlsplit(self.page.url)
        error = parse_qs(parts.query).get("error", [""])[0]
        return f"{origin_of(self.page.url)}{parts.path}" + (f" (error={error})" if error else "")

    def expect_loaded(self, timeout: float = DEFAULT_TIMEOUT_MS) -> HostedUiLogin:
        """On `<domain>/login` with a visible username field, after clicking the toggle if it is shown."""
        expected = f"the hosted-UI login form on {self.domain}/login"
        if not self.on_login_page():
            raise StateMismatch(expected, self.describe())
        try:
            expect(self.username.or_(self.toggle)).to_be_visible(timeout=timeout)
            if not self.username.is_visible():
                self.toggle.click()
            expect(self.username).to_be_visible(timeout=timeout)
        except AssertionError:
            raise StateMismatch(expected, f"no visible #signInFormUsername on {self.describe()}") from None
        return self

    def authorize_params(self) -> dict[str, str]:
        """The query the login page carries (Cognito and the stand-in keep the authorize parameters)."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}

    def sign_in(self, username: str, password: str, timeout: float = SUBMIT_TIMEOUT_MS) -> SubmitResult:
        """Fill the visible form and submit. Waits for the navigation the submit causes; a rejection re-renders
        the login page (the caller must stop: lockout guard)."""
        self.expect_loaded()
        self.username.fill(username)
        self.password.fill(password)
        with self.page.expect_navigation(wait_until="commit", timeout=timeout):
            self.submit.click()
        if self.on_login_page() or origin_of(self.page.url) == origin_of(self.domain):
            message = self._visible("#loginErrorMessage")
            text = message.inner_text().strip() if message.count() else ""
            return SubmitResult(self.page.url, rejected=True, error_message=text or "login form shown again")
        self.page.wait_for_load_state("load", timeout=timeout)
        return SubmitResult(self.page.url, rejected=False)
