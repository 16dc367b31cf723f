"""What every site page object shares: URLs (with the real CMS's cache buster), navigation, the visible `h1`, and
`StateMismatch`, the failure that names what the page rendered instead of the expected state (SPEC §8, §12)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from playwright.sync_api import Page, Response, expect

from checks.errors import CheckFailure, StateMismatch
from pages.identity import IdentitySnapshot, read_identity

__all__ = ["DEFAULT_TIMEOUT_MS", "SitePage", "SiteUrls", "StateMismatch", "fail_if", "origin_of"]

# Upper bound for a state to appear (the real site upgrades pages after an /auth/me round trip to AWS).
DEFAULT_TIMEOUT_MS = 15_000


def fail_if(problems: list[str]) -> None:
    """One failure listing every problem a journey found (a check reports all of them, not just the first)."""
    if problems:
        raise CheckFailure("; ".join(problems))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(frozen=True)
class SiteUrls:
    """Absolute page URLs on the site. `cache_bust` (aws-kind envs) appends `hsCacheBuster=<epoch-ms>` to every page
    URL so the CMS CDN never serves a stale page or script (SPEC §2).

    >>> SiteUrls("https://hedgehog.cloud", cache_bust=False).page("/learn")
    'https://hedgehog.cloud/learn'
    """

    base_url: str
    cache_bust: bool = False

    @property
    def origin(self) -> str:
        return origin_of(self.base_url)

    def page(self, path: str) -> str:
        parts = urlsplit(self.base_url.rstrip("/") + "/" + path.lstrip("/"))
        query = parts.query
        if self.cache_bust:
            query = "&".join(q for q in (query, urlencode({"hsCacheBuster": int(time.time() * 1000)})) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    def catalog(self) -> str:
        return self.page("/learn")

    def course(self, slug: str) -> str:
        return self.page(f"/learn/courses/{slug}")

    def pathway(self, slug: str) -> str:
        return self.page(f"/learn/pathways/{slug}")

    def module(self, slug: str) -> str:
        return self.page(f"/learn/modules/{slug}")

    def my_learning(self) -> str:
        return self.page("/learn/my-learning")


class SitePage:
    """A learning page (SPEC §8). Subclasses add the elements of their page; states are separate objects."""

    path: str = "/learn"

    def __init__(self, page: Page, urls: SiteUrls) -> None:
        self.page = page
        self.urls = urls
        self.response: Response | None = None

    def url(self) -> str:
        return self.urls.page(self.path)

    def open(self) -> IdentitySnapshot:
        """Navigate, require a visible `h1`, and wait (bounded) until the auth script has published the identity."""
        self.response = self.page.goto(self.url())
        self.expect_heading()
        return self.identity()

    def reload(self) -> IdentitySnapshot:
        self.response = self.page.reload()
        self.expect_heading()
        return self.identity()

    def expect_heading(self, timeout: float = DEFAULT_TIMEOUT_MS) -> str:
        heading = self.page.locator("h1").first
        try:
            expect(heading).to_be_visible(timeout=timeout)
        except AssertionError:
            title = self.page.title()
            shown = f"no visible h1, title {title!r}"
            raise StateMismatch("a visible h1 (learning page)", shown, url=self.page.url) from None
        return heading.inner_text().strip()

    def identity(self, timeout: float = DEFAULT_TIMEOUT_MS) -> IdentitySnapshot:
        return read_identity(self.page, timeout_ms=timeout)
