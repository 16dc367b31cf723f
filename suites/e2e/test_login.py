"""The browser sign-in (SPEC §10 e2e.login.full_flow): course → CTA → hosted UI → credentials → back on the SITE
origin at the course URL, never the API host's `{"message":"Not Found"}`; the session cookies carry the §3.3 flags
and are invisible to `document.cookie`. The sign-in itself runs once per process (`signed_in_state`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from checks.evidence import Evidence
from pages import SiteUrls
from pages.session import SignInOutcome

GATEWAY_NOT_FOUND = re.compile(r'\{\s*"message"\s*:\s*"Not Found"\s*\}')
# SPEC §3.3 (Max-Age is checked by security.cookies.flags over HTTP; the browser only keeps an absolute expiry).
COOKIE_FLAGS: dict[str, dict[str, Any]] = {
    "hhl_access_token": {"httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/"},
    "hhl_refresh_token": {"httpOnly": True, "secure": True, "sameSite": "Strict", "path": "/auth"},
}


def cookie_problems(cookies: list[dict[str, Any]], document_cookie_names: list[str]) -> list[str]:
    """Every way the session cookies differ from §3.3 as the browser stored them."""
    problems = []
    by_name = {c["name"]: c for c in cookies}
    for name, flags in COOKIE_FLAGS.items():
        cookie = by_name.get(name)
        if cookie is None:
            problems.append(f"no {name} cookie after sign-in")
            continue
        wrong = {k: cookie.get(k) for k, v in flags.items() if cookie.get(k) != v}
        if wrong:
            problems.append(f"{name} has {wrong} (expected {flags})")
    exposed = sorted(n for n in document_cookie_names if n.startswith("hhl_"))
    if exposed:
        problems.append(f"document.cookie exposes {exposed}: session cookies must be HttpOnly")
    return problems


@pytest.mark.check("e2e.login.full_flow")
def test_login_full_flow(sign_in_journey: SignInOutcome, site_urls: SiteUrls, evidence: Evidence) -> None:
    outcome = sign_in_journey
    course_path = urlsplit(outcome.course_url).path
    landed = f"{outcome.final_origin}{urlsplit(outcome.final_url).path}"
    evidence.record(
        expected={
            "lands_on": f"{site_urls.origin}{course_path}",
            "page": 'no {"message":"Not Found"}',
            "cookies": COOKIE_FLAGS,
            "document_cookie": "no hhl_* cookie",
        },
        actual={
            "lands_on": landed,
            "page_start": outcome.page_text[:200],
            "cookies": outcome.cookies,
            "document_cookie": outcome.document_cookie_names,
        },
    )
    problems = []
    if outcome.final_origin != site_urls.origin:
        problems.append(f"after sign-in the browser is on {outcome.final_origin}, not the site {site_urls.origin}")
    elif urlsplit(outcome.final_url).path != course_path:
        problems.append(f"after sign-in the browser is on {landed}, not back at the course {course_path}")
    if GATEWAY_NOT_FOUND.search(outcome.page_text):
        problems.append('the page shows the gateway\'s {"message":"Not Found"} (a relative callback Location?)')
    problems += cookie_problems(outcome.cookies, outcome.document_cookie_names)
    assert not problems, "; ".join(problems)
