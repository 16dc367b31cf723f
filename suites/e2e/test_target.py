"""e2e preflight (SPEC §10): the site answers as the learning site, and the API's login leads to the hosted UI's
login form. A failure here blocks every other e2e check and is the run's one environment error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from checks.errors import TargetMismatch
from checks.evidence import Evidence
from environments import Environment
from pages import HostedUiLogin, SiteUrls, StateMismatch
from pages.artifacts import StepShots


def _env_file(env: Environment) -> str:
    return env.source_file + (f" (filled from the sandbox state {env.sandbox.state_file})" if env.sandbox else "")


@pytest.mark.check("e2e.target.site_identity")
def test_site_identity(
    anon_page: Page, site_urls: SiteUrls, env: Environment, evidence: Evidence, shots: StepShots
) -> None:
    url = site_urls.catalog()
    response = anon_page.goto(url)
    status = response.status if response else None
    content_type = (response.headers.get("content-type") or "") if response else ""
    heading = anon_page.locator("h1").first
    try:
        expect(heading).to_be_visible(timeout=5_000)
        has_heading = True
    except AssertionError:
        has_heading = False
    has_context = anon_page.locator("#hhl-auth-context").count() == 1
    actual = {"status": status, "content_type": content_type, "visible_h1": has_heading, "auth_context": has_context}
    evidence.record(
        expected={"status": 200, "content_type": "text/html", "visible_h1": True, "auth_context": True}, actual=actual
    )
    shots(anon_page, "catalog")
    if not (status == 200 and content_type.startswith("text/html") and has_heading and has_context):
        answered = ", ".join(f"{k}={v}" for k, v in actual.items())
        raise TargetMismatch(
            "the site does not answer as the learning site",
            url=url,
            answered=answered,
            env_key="site_base_url",
            env_file=_env_file(env),
        )


@pytest.mark.check("e2e.target.hosted_ui_identity")
def test_hosted_ui_identity(
    anon_page: Page, site_api_base_url: str, env: Environment, evidence: Evidence, shots: StepShots
) -> None:
    url = f"{site_api_base_url}/auth/login?redirect_url=%2Flearn"
    anon_page.goto(url)  # the API's 302 and the authorize 302 are followed: the landing page is what we judge
    login = HostedUiLogin(anon_page, env.cognito.domain or "")
    evidence.record(expected={"lands_on": f"{env.cognito.domain}/login", "visible": "#signInFormUsername"})
    try:
        login.expect_loaded()
    except StateMismatch as exc:
        evidence.record(actual={"lands_on": login.describe(), "problem": str(exc)})
        shots(anon_page, "not-the-login-page")
        raise TargetMismatch(
            "the API's /auth/login does not lead to the hosted-UI login form",
            url=url,
            answered=login.describe(),
            env_key="cognito.domain / cognito.callback_url (registered on the app client)",
            env_file=_env_file(env),
        ) from None
    evidence.record(actual={"lands_on": login.describe(), "visible": "#signInFormUsername"})
    shots(anon_page, "hosted-ui-login")
