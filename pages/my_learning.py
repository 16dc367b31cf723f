"""`/learn/my-learning`, one object per state (SPEC §8): anonymous (a sign-in link, zero `.enrollment-card`) and
signed in (one `.enrollment-card` per enrollment whose text or link names the slug)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from pages.base import DEFAULT_TIMEOUT_MS, SitePage, SiteUrls, StateMismatch

__all__ = ["AnonymousMyLearning", "MyLearningPage", "SignedInMyLearning"]

_DESCRIBE = """
() => {
  const cards = [...document.querySelectorAll('.enrollment-card')].map((c) =>
    c.getAttribute('data-content-slug') || (c.textContent || '').trim().split('\\n')[0].slice(0, 60));
  const signin = [...document.querySelectorAll('main a, .learn-main a')]
    .filter((a) => /sign\\s*in/i.test(a.textContent || '') && a.offsetParent !== null).length;
  return `${cards.length} .enrollment-card [${cards.join(', ')}] and ${signin} visible sign-in link(s)`;
}
"""


class MyLearningPage(SitePage):
    path = "/learn/my-learning"

    def __init__(self, page: Page, urls: SiteUrls) -> None:
        super().__init__(page, urls)

    @property
    def cards(self) -> Locator:
        return self.page.locator(".enrollment-card")

    def describe(self) -> str:
        return str(self.page.evaluate(_DESCRIBE))

    def anonymous(self, timeout: float = DEFAULT_TIMEOUT_MS) -> AnonymousMyLearning:
        state = AnonymousMyLearning(self)
        state.expect_shown(timeout)
        return state

    def signed_in(self) -> SignedInMyLearning:
        return SignedInMyLearning(self)


class AnonymousMyLearning:
    name = "the anonymous My Learning (a visible sign-in link, zero .enrollment-card)"

    def __init__(self, owner: MyLearningPage) -> None:
        self.owner = owner
        page = owner.page
        self.sign_in_link = page.locator("main a, .learn-main a").filter(has_text="Sign in").filter(visible=True).first

    def expect_shown(self, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
        try:
            expect(self.sign_in_link).to_be_visible(timeout=timeout)
            expect(self.owner.cards).to_have_count(0, timeout=timeout)
        except AssertionError:
            raise StateMismatch(self.name, self.owner.describe(), url=self.owner.page.url) from None


class SignedInMyLearning:
    """Cards are rendered after an API round trip; `card_for` waits for the one naming the slug."""

    def __init__(self, owner: MyLearningPage) -> None:
        self.owner = owner

    def card_for(self, slug: str, timeout: float = DEFAULT_TIMEOUT_MS) -> Locator:
        cards = self.owner.cards
        card = cards.filter(has_text=slug).or_(cards.filter(has=self.owner.page.locator(f'a[href*="/{slug}"]'))).first
        try:
            expect(card).to_be_visible(timeout=timeout)
        except AssertionError:
            expected = f"a .enrollment-card for {slug!r}"
            raise StateMismatch(expected, self.owner.describe(), url=self.owner.page.url) from None
        return card
