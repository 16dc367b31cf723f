"""Playwright page objects for the learning site (SPEC §8) and the hosted-UI login page (SPEC §9).

One object per state (anonymous / signed-in / enrolled CTA, anonymous / signed-in My Learning, nav states): a
failure names the element that was rendered instead. Page objects assert outcomes, never mechanisms, so the same
suite runs on the sandbox and on the real site. Browser fixtures live in `pages.browser_fixtures` (a pytest plugin
registered by `pages.fixtures`).
"""

from __future__ import annotations

from pages.api import BrowserApi, enrolled_course_slugs, find_module_progress, session_cookies
from pages.base import SitePage, SiteUrls, StateMismatch, fail_if, origin_of
from pages.catalog import CatalogPage
from pages.course import AnonymousCta, CoursePage, EnrolledCta, PathwayPage, SignedInCta, describe_cta
from pages.hosted_ui import HostedUiLogin, SubmitResult
from pages.identity import IdentitySnapshot, auth_endpoints, read_identity
from pages.module import ModulePage
from pages.my_learning import AnonymousMyLearning, MyLearningPage, SignedInMyLearning
from pages.nav import NavBar

__all__ = [
    "AnonymousCta",
    "AnonymousMyLearning",
    "BrowserApi",
    "CatalogPage",
    "CoursePage",
    "EnrolledCta",
    "HostedUiLogin",
    "IdentitySnapshot",
    "ModulePage",
    "MyLearningPage",
    "NavBar",
    "PathwayPage",
    "SignedInCta",
    "SignedInMyLearning",
    "SitePage",
    "SiteUrls",
    "StateMismatch",
    "SubmitResult",
    "auth_endpoints",
    "describe_cta",
    "enrolled_course_slugs",
    "fail_if",
    "find_module_progress",
    "origin_of",
    "read_identity",
    "session_cookies",
]
