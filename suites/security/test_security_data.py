"""Data-route and header hardening (SPEC §3.1, §3.2, §3.8): identity only from the session, CORS never echoed for
other origins, no framework fingerprints."""

from __future__ import annotations

import re
from typing import Any

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession
from suites.api.flows import Credentials
from suites.api.helpers import ACCESS_COOKIE, WWW_AUTHENTICATE, expect_json, expect_status, require, where

EVIL_ORIGIN = "https://evil.com"
FRAMEWORKS = re.compile(r"(?i)uvicorn|starlette|express|node|python|gunicorn|werkzeug|flask|django|fastapi|hypercorn")


@pytest.mark.check("security.cors.disallowed_origin")
def test_cors_disallowed_origin(api: HttpClient, evidence: Evidence) -> None:
    preflight_headers = {"Origin": EVIL_ORIGIN, "Access-Control-Request-Method": "POST"}
    responses = [
        api.get("/auth/me", headers={"Origin": EVIL_ORIGIN}),
        api.get("/progress/read", headers={"Origin": EVIL_ORIGIN}),
        api.options("/events/track", headers=preflight_headers),
    ]
    leaks = {
        where(r): {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-") or EVIL_ORIGIN in v}
        for r in responses
    }
    leaks = {k: v for k, v in leaks.items() if v}
    evidence.record(expected={"CORS headers for evil.com": {}}, actual={"CORS headers for evil.com": leaks})
    require(not leaks, f"a disallowed origin got CORS headers: {leaks}")
    require(responses[2].status == 204, f"OPTIONS preflight from a disallowed origin: {responses[2].describe()}")


@pytest.mark.check("security.data.no_email_identity_reads")
def test_no_email_identity_reads(api: HttpClient, user: Credentials, evidence: Evidence) -> None:
    email = user.username  # the hosted UI's username is the email (SPEC §2)
    expect_json(evidence, api.get("/progress/read", params={"email": email}), 200, {"mode": "anonymous"})
    listed = api.get("/enrollments/list", params={"email": email})
    expect_json(evidence, listed, 401, {"error": "Unauthorized"})
    require(listed.headers.get("www-authenticate") == WWW_AUTHENTICATE, "enrollments/list 401 lacks WWW-Authenticate")


@pytest.mark.check("security.data.no_unauthenticated_writes")
def test_no_unauthenticated_writes(api: HttpClient, env: Any, signed_in: SignedInSession, evidence: Evidence) -> None:
    cookies = {ACCESS_COOKIE: signed_in.access_token}
    me = expect_status(evidence, api.get("/auth/me", cookies=cookies), 200)
    before = expect_status(evidence, api.get("/progress/read", cookies=cookies), 200)
    # A module no other check touches, so any change to the user's progress can only come from this write.
    forged = {
        "eventName": "learning_module_completed",
        "course_slug": "api-test-course",
        "payload": {"module_slug": "api-test-module-completed"},
        "contactIdentifier": {"email": me["email"]},
    }
    expect_json(evidence, api.post("/events/track", json=forged), 200, {"status": "logged", "mode": "anonymous"})
    after = expect_status(evidence, api.get("/progress/read", cookies=cookies), 200)
    evidence.record(expected={"progress unchanged": True}, actual={"progress unchanged": after == before})
    require(after == before, "an unauthenticated event naming the test user's email changed their progress")


@pytest.mark.check("security.headers")
def test_security_headers(api: HttpClient, evidence: Evidence) -> None:
    # Backend responses only: a gateway 404 is API Gateway's own answer, outside the backend's §3.1 contract.
    responses = [api.get("/auth/me"), api.get("/auth/login"), api.get("/progress/read"), api.post("/events/track")]
    problems = []
    for r in responses:
        if r.headers.get("x-content-type-options", "").lower() != "nosniff":
            problems.append(f"{where(r)}: X-Content-Type-Options {r.headers.get('x-content-type-options')!r}")
        if "x-powered-by" in r.headers:
            problems.append(f"{where(r)}: X-Powered-By {r.headers['x-powered-by']!r}")
        if FRAMEWORKS.search(r.headers.get("server", "")):
            problems.append(f"{where(r)}: Server {r.headers['server']!r} names a framework")
    evidence.record(expected={"problems": []}, actual={"problems": problems})
    require(not problems, f"security headers: {'; '.join(problems)}")
