"""`/learn/modules/<slug>` (SPEC §8): `meta[name="hhl:module_slug"]`, `#hhl-mark-started`, `#hhl-mark-complete`.
The effect of a button is verified through `progress/read` after a reload (pages.api), never through the request
the page sends (the real site navigates through /learn/action-runner; the sandbox calls the API directly)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from checks.redaction import excerpt
from pages.base import DEFAULT_TIMEOUT_MS, SitePage, SiteUrls, StateMismatch

__all__ = ["ModulePage"]

# Bound for the page to go quiet after a click (fetch, or the action-runner round trip and the reload).
SETTLE_TIMEOUT_MS = 30_000


class ModulePage(SitePage):
    def __init__(self, page: Page, urls: SiteUrls, slug: str) -> None:
        super().__init__(page, urls)
        self.slug = slug
        self.path = f"/learn/modules/{slug}"

    def meta_slug(self) -> str:
        meta = self.page.locator('meta[name="hhl:module_slug"]')
        return (meta.first.get_attribute("content") or "") if meta.count() else ""

    def _button(self, element_id: str, label: str) -> Locator:
        button = self.page.locator(f"#{element_id}")
        try:
            expect(button).to_be_visible(timeout=DEFAULT_TIMEOUT_MS)
            expect(button).to_be_enabled(timeout=DEFAULT_TIMEOUT_MS)
        except AssertionError:
            shown = excerpt(self.page.locator(".module-actions, main").first.inner_text(), 120).replace("\n", " ")
            raise StateMismatch(f"an enabled #{element_id} ({label!r})", repr(shown), url=self.page.url) from None
        return button

    def _click_and_settle(self, element_id: str, label: str) -> None:
        self._button(element_id, label).click()
        # Whatever the mechanism (fetch or a navigation round trip), wait until the page is quiet again.
        self.page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_MS)

    def mark_started(self) -> None:
        self._click_and_settle("hhl-mark-started", "Mark as started")

    def mark_complete(self) -> None:
        self._click_and_settle("hhl-mark-complete", "Mark complete")
