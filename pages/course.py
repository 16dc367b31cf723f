"""Course (and pathway) pages and their enrollment CTA, one object per state (SPEC §8, §12):

AnonymousCta  `a#hhl-enroll-login` "Sign in to start course" → the API's /auth/login
SignedInCta   `button#hhl-enroll-button` "Start Course" (the script replaced the link)
EnrolledCta   the button disabled, "✓ Enrolled in Course" (survives a reload)

Each state's `expect_shown()` waits (bounded) for its own element; on a mismatch the failure names the element
that WAS rendered, e.g. `expected button#hhl-enroll-button (signed-in CTA) but the page shows
a#hhl-enroll-login 'Sign in to start course'`. Outcomes only: how the click is carried out (a direct API call in
the sandbox, /learn/action-runner on the real site) is never asserted.
"""

from __future__ import annotations

import re
from typing import Self

from playwright.sync_api import Locator, Page, expect

from pages.base import DEFAULT_TIMEOUT_MS, SitePage, SiteUrls, StateMismatch

__all__ = ["AnonymousCta", "CoursePage", "EnrolledCta", "PathwayPage", "SignedInCta", "describe_cta"]

ENROLL_TIMEOUT_MS = 30_000  # SPEC §10 e2e.auth.enroll_outcome: "within 30 s"
_BUSY = re.compile(r"checking enrollment|enrolling", re.IGNORECASE)
_SIGN_IN = re.compile(r"sign\s*in", re.IGNORECASE)
_ENROLLED = re.compile(r"enrolled", re.IGNORECASE)

_DESCRIBE_CTA = """
() => {
  const quote = (el) => JSON.stringify((el.textContent || '').trim()).replace(/^"|"$/g, "'");
  const link = document.getElementById('hhl-enroll-login');
  const button = document.getElementById('hhl-enroll-button');
  const parts = [];
  if (button) { parts.push('button#hhl-enroll-button ' + quote(button) + (button.disabled ? ' (disabled)' : '')); }
  if (link) { parts.push('#hhl-enroll-login ' + quote(link)); }
  if (!parts.length) {
    return document.getElementById('hhl-enrollment-cta') ? 'an empty #hhl-enrollment-cta' : 'no enrollment CTA at all';
  }
  return parts.join(' and ');
}
"""


def describe_cta(page: Page) -> str:
    """What the CTA area shows right now, for failure messages."""
    return str(page.evaluate(_DESCRIBE_CTA))


class _CtaState:
    """A state of the enrollment CTA; subclasses define the locator and what makes the state complete."""

    name = "CTA"

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def element(self) -> Locator:
        raise NotImplementedError

    def _expect(self, timeout: float) -> None:
        expect(self.element).to_be_visible(timeout=timeout)

    def expect_shown(self, timeout: float = DEFAULT_TIMEOUT_MS) -> Self:
        try:
            self._expect(timeout)
        except AssertionError:
            raise StateMismatch(self.name, describe_cta(self.page), url=self.page.url) from None
        return self

    def text(self) -> str:
        return self.element.inner_text().strip()


class AnonymousCta(_CtaState):
    name = "a#hhl-enroll-login (anonymous sign-in CTA)"

    @property
    def element(self) -> Locator:
        return self.page.locator("a#hhl-enroll-login")

    def _expect(self, timeout: float) -> None:
        expect(self.element).to_be_visible(timeout=timeout)
        expect(self.element).to_have_text(_SIGN_IN, timeout=timeout)

    def href(self) -> str:
        return self.element.get_attribute("href") or ""

    def click(self) -> None:
        """Follow the CTA; where it lands is judged by the caller (the hosted-UI page object)."""
        self.element.click()


class SignedInCta(_CtaState):
    """The upgraded CTA, settled (not "Checking enrollment..."): "Start Course" or already enrolled."""

    name = "button#hhl-enroll-button (signed-in CTA)"

    @property
    def element(self) -> Locator:
        return self.page.locator("button#hhl-enroll-button")

    def _expect(self, timeout: float) -> None:
        expect(self.element).to_be_visible(timeout=timeout)
        expect(self.element).not_to_have_text(_BUSY, timeout=timeout)
        expect(self.element).not_to_have_text(_SIGN_IN, timeout=timeout)

    @property
    def is_enrolled(self) -> bool:
        return bool(_ENROLLED.search(self.text()))

    def enroll(self, timeout: float = ENROLL_TIMEOUT_MS) -> EnrolledCta:
        """Click "Start Course"; the outcome is the enrolled state, whatever route the site takes to get there."""
        self.element.click()
        return EnrolledCta(self.page).expect_shown(timeout)


class EnrolledCta(_CtaState):
    name = "button#hhl-enroll-button '✓ Enrolled…' disabled (enrolled CTA)"

    @property
    def element(self) -> Locator:
        return self.page.locator("button#hhl-enroll-button")

    def _expect(self, timeout: float) -> None:
        expect(self.element).to_have_text(_ENROLLED, timeout=timeout)
        expect(self.element).to_be_disabled(timeout=timeout)


class CoursePage(SitePage):
    """`/learn/courses/<slug>`: title `h1`, the CTA (in one of its states) and the module links in catalog order."""

    def __init__(self, page: Page, urls: SiteUrls, slug: str) -> None:
        super().__init__(page, urls)
        self.slug = slug
        self.path = f"/learn/courses/{slug}"

    def anonymous_cta(self, timeout: float = DEFAULT_TIMEOUT_MS) -> AnonymousCta:
        return AnonymousCta(self.page).expect_shown(timeout)

    def signed_in_cta(self, timeout: float = DEFAULT_TIMEOUT_MS) -> SignedInCta:
        return SignedInCta(self.page).expect_shown(timeout)

    def enrolled_cta(self, timeout: float = DEFAULT_TIMEOUT_MS) -> EnrolledCta:
        return EnrolledCta(self.page).expect_shown(timeout)

    def module_slugs(self) -> list[str]:
        hrefs = self.page.locator("a[href*='/learn/modules/']").evaluate_all("els => els.map(e => e.pathname)")
        return [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs]


class PathwayPage(CoursePage):
    """`/learn/pathways/<slug>`: the same CTA states ("Enroll in Pathway" / "✓ Enrolled in Pathway"). The real site
    renders the button even for anonymous visitors, so pathway journeys never assert the anonymous state."""

    def __init__(self, page: Page, urls: SiteUrls, slug: str) -> None:
        super().__init__(page, urls, slug)
        self.path = f"/learn/pathways/{slug}"
