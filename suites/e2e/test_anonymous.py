"""Anonymous journeys (SPEC §10): the site is wired to the Cognito auth script, anonymous pages show the sign-in
state, and the CTA leads to the hosted-UI login with PKCE parameters."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Response

from pages import CatalogPage, HostedUiLogin, MyLearningPage, fail_if, origin_of, session_cookies
from suites.e2e.journey import View

AUTH_SCRIPT = "cognito-auth-integration.js"
LEGACY_SCRIPT = "auth-context.js"


@pytest.mark.check("e2e.site.wiring")
def test_site_wiring(anon_view: View, site_api_base_url: str) -> None:
    view, anon_page = anon_view, anon_view.page
    scripts: dict[str, int] = {}

    def on_response(response: Response) -> None:
        if response.request.resource_type == "script":
            scripts[urlsplit(response.url).path] = response.status

    anon_page.on("response", on_response)
    course = view.course()
    identity = course.open()
    view.shot("course")
    script_srcs = anon_page.evaluate("() => [...document.scripts].map((s) => s.src).filter(Boolean)")
    href = course.anonymous_cta().href()
    page_path = urlsplit(anon_page.url).path
    redirect = parse_qs(urlsplit(href).query).get("redirect_url", [""])[0]
    prefix = f"{site_api_base_url}/auth/login?redirect_url="
    loaded = {path: status for path, status in scripts.items() if path.endswith("/" + AUTH_SCRIPT)}
    legacy = [src for src in [*script_srcs, *scripts] if LEGACY_SCRIPT in src and AUTH_SCRIPT not in src]
    view.evidence.record(
        expected={
            "auth_script": f"{AUTH_SCRIPT} loaded (200)",
            "legacy_script": "absent",
            "hhIdentity": "ready, get, isAuthenticated, isReady, login, logout",
            "cta_href": f"{prefix}<urlencoded {page_path}>",
        },
        actual={
            "auth_script": loaded or None,
            "legacy_script": legacy or "absent",
            "hhIdentity": identity.describe(),
            "cta_href": href,
            "scripts": script_srcs,
        },
    )
    problems = []
    if not any(status == 200 for status in loaded.values()):
        problems.append(f"{AUTH_SCRIPT} is not loaded (scripts: {sorted(scripts) or 'none'})")
    if legacy:
        problems.append(f"the legacy {LEGACY_SCRIPT} is loaded ({legacy[0]}): it overwrites window.hhIdentity")
    if identity.status != "ready":
        problems.append(f"window.hhIdentity is not the Cognito API: {identity.describe()}")
    if not href.startswith(prefix):
        problems.append(f"#hhl-enroll-login href {href!r} does not start with {prefix!r}")
    elif redirect.split("?")[0] != page_path:
        problems.append(f"#hhl-enroll-login redirect_url {redirect!r} does not encode the page path {page_path!r}")
    fail_if(problems)


@pytest.mark.check("e2e.anon.pages")
def test_anonymous_pages(anon_context: BrowserContext, anon_view: View) -> None:
    view = anon_view
    page_errors: list[str] = []
    view.page.on("pageerror", lambda error: page_errors.append(str(error)))
    me_statuses = view.watch_auth_me("response", lambda r: r.status)

    course = view.course()
    course_identity = course.open()
    cta_text = course.anonymous_cta().text()
    view.shot("course-anonymous")
    catalog = CatalogPage(view.page, view.site_urls)
    catalog.open()
    catalog_heading = catalog.expect_heading()
    view.shot("catalog")
    my_learning = MyLearningPage(view.page, view.site_urls)
    my_learning.open()
    my_learning.anonymous()
    view.shot("my-learning-anonymous")
    cookies = [c["name"] for c in session_cookies(anon_context)]
    view.evidence.record(
        expected={
            "cta": "a#hhl-enroll-login /sign in/i",
            "hhl_cookies": [],
            "page_errors": [],
            "identity": "anonymous",
        },
        actual={
            "cta": f"a#hhl-enroll-login {cta_text!r}",
            "hhl_cookies": cookies,
            "page_errors": page_errors,
            "identity": course_identity.describe(),
            "auth_me_statuses": me_statuses,
            "catalog_h1": catalog_heading,
        },
    )
    problems = []
    if cookies:
        problems.append(f"anonymous visitor holds hhl_* cookies {cookies}")
    if course_identity.status == "ready" and not course_identity.is_anonymous:
        problems.append(f"a visitor without cookies is shown as {course_identity.describe()}")
    if page_errors:
        problems.append(f"uncaught page errors (the /auth/me 401 must leave the page working): {page_errors[:3]}")
    fail_if(problems)


@pytest.mark.check("e2e.anon.cta_to_hosted_ui")
def test_cta_to_hosted_ui(anon_view: View) -> None:
    view, env = anon_view, anon_view.env
    course = view.course()
    course.open()
    cta = course.anonymous_cta()
    view.shot("course-anonymous")
    domain = env.cognito.domain or ""
    authorize_urls: list[str] = []
    view.page.on(
        "request",
        lambda r: (
            authorize_urls.append(r.url)
            if origin_of(r.url) == origin_of(domain) and urlsplit(r.url).path.endswith("/oauth2/authorize")
            else None
        ),
    )
    cta.click()
    view.page.wait_for_url(lambda url: origin_of(url) == origin_of(domain))
    login = HostedUiLogin(view.page, domain)
    if login.on_error_page() and authorize_urls:
        # The IdP answered as itself but refused the request (e.g. an unregistered callback URL): that refusal is
        # infra.cognito.client's and e2e.login.full_flow's finding; the PKCE parameters are judged as sent.
        view.shot("hosted-ui-refused")
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorize_urls[-1]).query).items()}
    else:
        login.expect_loaded()
        view.shot("hosted-ui-login")  # nothing typed
        params = login.authorize_params()
    challenge, state = params.get("code_challenge", ""), params.get("state", "")
    actual = {
        "client_id": params.get("client_id"),
        "response_type": params.get("response_type"),
        "redirect_uri": params.get("redirect_uri"),
        "code_challenge_method": params.get("code_challenge_method"),
        "code_challenge_length": len(challenge),
        "state_length": len(state),
    }
    expected = {
        "client_id": env.cognito.client_id,
        "response_type": "code",
        "redirect_uri": env.cognito.callback_url,
        "code_challenge_method": "S256",
        "code_challenge_length": 43,
    }
    view.evidence.record(
        expected={**expected, "state_length": ">= 20"}, actual={**actual, "login_page": login.describe()}
    )
    problems = [
        f"{key}: expected {value!r}, got {actual[key]!r}" for key, value in expected.items() if actual[key] != value
    ]
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):
        problems.append("code_challenge is not a 43-character base64url S256 challenge")
    if len(state) < 20:
        problems.append(f"state is {len(state)} characters (expected >= 20)")
    fail_if(problems)
