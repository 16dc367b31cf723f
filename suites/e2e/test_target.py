"""e2e preflight (SPEC §10): the site answers as the learning site, and the hosted UI answers as the env's IdP.
A failure here blocks every other e2e check and is the run's one environment error. Preflights prove identity,
never configuration (SPEC §11.3): a hosted UI that answers as itself but refuses our callback URL passes here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from checks.errors import TargetMismatch
from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from pages import HostedUiLogin, SiteUrls, StateMismatch, origin_of
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


def discovery_identity(document: Any, *, issuer: str, domain: str) -> list[str]:
    """How an OIDC discovery document differs from the env's IdP: its issuer, and an authorization endpoint on the
    env's hosted-UI domain (Cognito's discovery names `https://<domain>/oauth2/authorize`)."""
    if not isinstance(document, dict):
        return ["the discovery document is not a JSON object"]
    problems = []
    if document.get("issuer") != issuer.rstrip("/"):
        problems.append(f"issuer {document.get('issuer')!r} is not {issuer!r}")
    endpoint = str(document.get("authorization_endpoint") or "")
    if origin_of(endpoint) != origin_of(domain) or not urlsplit(endpoint).path.endswith("/oauth2/authorize"):
        problems.append(f"authorization_endpoint {endpoint!r} is not {domain}/oauth2/authorize")
    return problems


@pytest.mark.check("e2e.target.hosted_ui_identity")
def test_hosted_ui_identity(
    anon_page: Page,
    site_api_base_url: str,
    env: Environment,
    evidence: Evidence,
    shots: StepShots,
    http_client: Callable[[str], HttpClient],
) -> None:
    """Identity, not configuration (SPEC §11.3): the env's IdP publishes discovery naming the hosted-UI domain, and
    the API's /auth/login leads the browser to that domain, which answers as the hosted UI: its login form, or its
    own error page when it refuses the request (a callback URL not registered is infra.cognito.client's and
    e2e.login.full_flow's failure, not an environment error)."""
    domain, issuer = env.cognito.domain or "", env.cognito.issuer or ""
    problems: list[str] = []
    discovery_url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    discovery = http_client(issuer).get(discovery_url)
    if discovery.status != 200:
        problems.append(f"{discovery_url} answered {discovery.describe()}")
    else:
        problems += discovery_identity(discovery.json_or_none(), issuer=issuer, domain=domain)

    url = f"{site_api_base_url}/auth/login?redirect_url=%2Flearn"
    anon_page.goto(url)  # the API's 302 and the authorize 302 are followed: the landing page is what we judge
    login = HostedUiLogin(anon_page, domain)
    answered = "login form"
    if login.on_error_page():
        answered = f"its error page ({login.error_code() or 'no error code'}): a configuration finding, not identity"
    else:
        try:
            login.expect_loaded()
        except StateMismatch as exc:
            problems.append(str(exc))
    evidence.record(
        expected={
            "discovery": f"issuer {issuer}, authorization_endpoint {domain}/oauth2/authorize",
            "lands_on": f"{domain}: the login form (#signInFormUsername) or the hosted UI's own /error page",
        },
        actual={
            "discovery": discovery.status,
            "lands_on": login.describe(),
            "answered": answered,
            "problems": problems,
        },
    )
    shots(anon_page, "hosted-ui" if not problems else "not-the-hosted-ui")
    if problems:
        raise TargetMismatch(
            "the env's hosted UI does not answer as the IdP",
            url=url,
            answered="; ".join(problems),
            env_key="cognito.domain / cognito.issuer",
            env_file=_env_file(env),
        )
