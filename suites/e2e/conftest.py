"""Fixtures of the e2e suite: the page a journey runs on, bundled with what it is judged with (journey.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from checks.evidence import Evidence
from environments import Environment
from pages import SiteUrls
from pages.artifacts import StepShots
from suites.e2e.journey import View


@pytest.fixture
def anon_view(anon_page: Page, site_urls: SiteUrls, env: Environment, evidence: Evidence, shots: StepShots) -> View:
    return View(anon_page, site_urls, env, evidence, shots)


@pytest.fixture
def signed_in_view(
    signed_in_page: Page, site_urls: SiteUrls, env: Environment, evidence: Evidence, shots: StepShots
) -> View:
    return View(signed_in_page, site_urls, env, evidence, shots)


@pytest.fixture
def enrollment_view(
    enrollment_page: Page, site_urls: SiteUrls, env: Environment, evidence: Evidence, shots: StepShots
) -> View:
    """A page signed in as this process's enrollment user: only the enrollment journey writes its enrollments."""
    return View(enrollment_page, site_urls, env, evidence, shots)
