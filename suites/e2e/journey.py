"""What every browser journey of the e2e suite works with, bundled: one page, the site's URLs, the environment,
the check's evidence and its step screenshots (fixtures `anon_view` and `signed_in_view`, suites/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import Page

from checks.evidence import Evidence
from environments import Environment
from pages import CoursePage, SiteUrls
from pages.artifacts import StepShots

T = TypeVar("T")


@dataclass(frozen=True)
class View:
    page: Page
    site_urls: SiteUrls
    env: Environment
    evidence: Evidence
    shots: StepShots

    def shot(self, step: str) -> None:
        self.shots(self.page, step)

    def course(self) -> CoursePage:
        """The environment's course page (not opened yet)."""
        return CoursePage(self.page, self.site_urls, self.env.content.course)

    def watch_auth_me(self, event: Literal["request", "response"], pick: Callable[[Any], T]) -> list[T]:
        """From now on, `pick(r)` of every `event` ("request" or "response") whose path ends in /auth/me."""
        seen: list[T] = []
        self.page.on(event, lambda r: seen.append(pick(r)) if urlsplit(r.url).path.endswith("/auth/me") else None)
        return seen
