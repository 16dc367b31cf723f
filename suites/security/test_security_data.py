"""Data-route and header hardening (SPEC §3.1, §3.2, §3.8): identity only from the session, CORS never echoed for
other origins, no framework fingerprints."""

from __future__ import annotations

import re
from typing import Any

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession
from environments import Environment
from suites.api.flows import Credentials
from suites.api.helpers import ACCESS_COOKIE, WWW_AUTHENTICATE, expect_status, reference_clause, require, where

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
def test_no_email_identity_reads(api: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    """Property: without a session, naming the test user's email returns none of their data (it fails only when the
    user's progress or enrollments come back). [reference] the exact anonymous / 401 answers."""
    email = user.username  # the hosted UI's username is the email (SPEC §2)
    read = api.get("/progress/read", params={"email": email})
    listed = api.get("/enrollments/list", params={"email": email})
    leaked = {where(r): r.describe() for r in (read, listed) if r.status < 300 and _users_data(r.json_or_none())}
    evidence.record(
        expected={"the test user's data": "none"},
        actual={"progress/read": read.status, "enrollments/list": listed.status, "answered as the user": leaked},
    )
    require(not leaked, f"an asserted email (no session) returned the test user's data: {leaked}")
    ok = read.status == 200 and read.json_or_none() == {"mode": "anonymous"}
    reference_clause(evidence, env, ok, f"progress/read?email=: expected 200 anonymous, got {read.describe()}")
    ok = (
        listed.status == 401
        and listed.json_or_none() == {"error": "Unauthorized"}
        and listed.headers.get("www-authenticate") == WWW_AUTHENTICATE
    )
    reference_clause(
        evidence, env, ok, f"enrollments/list?email=: expected 401 + WWW-Authenticate, got {listed.describe()}"
    )


def _users_data(body: Any) -> bool:
    """A body answered as a user: an authenticated mode, or any progress/enrollment content."""
    if not isinstance(body, dict):
        return False
    enrollments = body.get("enrollments")
    if isinstance(enrollments, dict):
        enrollments = [*(enrollments.get("courses") or []), *(enrollments.get("pathways") or [])]
    return body.get("mode") == "authenticated" or bool(body.get("progress")) or bool(enrollments)


@pytest.mark.check("security.data.no_unauthenticated_writes")
def test_no_unauthenticated_writes(
    api: HttpClient, env: Environment, signed_in: SignedInSession, evidence: Evidence
) -> None:
    """Property: an event without a session that names the test user's email is not recorded for them: the answer
    does not claim it was (`persisted` / `authenticated`) and their progress, read with the session, is unchanged.
    [reference] the exact `{"status":"logged","mode":"anonymous"}`."""
    cookies = {ACCESS_COOKIE: signed_in.access_token}
    me = expect_status(evidence, api.get("/auth/me", cookies=cookies), 200)
    before = api.get("/progress/read", cookies=cookies)
    # A module no other check touches, so any change to the user's progress can only come from this write.
    forged = {
        "eventName": "learning_module_completed",
        "course_slug": "api-test-course",
        "payload": {"module_slug": "api-test-module-completed"},
        "contactIdentifier": {"email": me["email"]},
    }
    answer = api.post("/events/track", json=forged)
    body = answer.json_or_none()
    claimed = isinstance(body, dict) and (body.get("status") == "persisted" or body.get("mode") == "authenticated")
    after = api.get("/progress/read", cookies=cookies)
    unchanged = (before.status, before.json_or_none()) == (after.status, after.json_or_none())
    evidence.record(
        expected={"recorded for the user": False, "progress unchanged": True},
        actual={"answer": {"status": answer.status, "body": body}, "progress unchanged": unchanged},
    )
    require(not claimed, f"an unauthenticated event naming the test user's email was recorded: {answer.describe()}")
    require(unchanged, "an unauthenticated event naming the test user's email changed their progress")
    ok = answer.status == 200 and body == {"status": "logged", "mode": "anonymous"}
    reference_clause(evidence, env, ok, f"anonymous track: expected 200 logged/anonymous, got {answer.describe()}")


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
