"""The browser sign-in (SPEC §10 e2e.login.full_flow): course → CTA → hosted UI → credentials → back on the SITE
origin at the course URL, never the API host's `{"message":"Not Found"}`; the session cookies carry the §3.3 flags
and are invisible to `document.cookie`. The sign-in itself runs once per process (`signed_in_state`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from checks.evidence import Evidence
from checks.redaction import excerpt
from pages import SiteUrls, fail_if
from pages.session import COOKIE_FLAGS, SignInOutcome, cookie_problems

GATEWAY_NOT_FOUND = re.compile(r'\{\s*"message"\s*:\s*"Not Found"\s*\}')


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
            "page_start": excerpt(outcome.page_text, 200),
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
    fail_if(problems)
