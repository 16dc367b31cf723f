"""The left nav's auth links (SPEC §8): `a.learn-auth-link`. Anonymous: "Register" + "Sign In"; signed in:
"Sign Out" (+ the greeting). Two states, each with its own expectation naming what was shown instead."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from pages.base import DEFAULT_TIMEOUT_MS, StateMismatch

__all__ = ["NavBar"]


class NavBar:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def links(self) -> Locator:
        return self.page.locator("a.learn-auth-link")

    def _link(self, text: str) -> Locator:
        return self.links.filter(has_text=text)

    def texts(self) -> list[str]:
        return [t.strip() for t in self.links.all_inner_texts()]

    def describe(self) -> str:
        return f"nav links {self.texts()}"

    def expect_signed_in(self, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
        """A visible "Sign Out" link and no "Sign In" link."""
        try:
            expect(self._link("Sign Out").first).to_be_visible(timeout=timeout)
            expect(self._link("Sign In")).to_have_count(0, timeout=timeout)
        except AssertionError:
            raise StateMismatch('nav "Sign Out" and no "Sign In"', self.describe(), url=self.page.url) from None

    def expect_anonymous(self, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
        try:
            expect(self._link("Sign In").first).to_be_visible(timeout=timeout)
            expect(self._link("Sign Out")).to_have_count(0, timeout=timeout)
        except AssertionError:
            raise StateMismatch('nav "Sign In" and no "Sign Out"', self.describe(), url=self.page.url) from None

    def sign_out(self) -> None:
        """Click "Sign Out"; the caller judges where the browser ends up."""
        self._link("Sign Out").first.click()
