"""`GET|POST /auth/logout` (SPEC §3.7): always a 302 to the hosted-UI logout, clearing both session cookies."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.helpers import ACCESS_COOKIE, REFRESH_COOKIE, expect_cookies, expect_redirect, query_of, require

# Junk values only: a real refresh token here would be revoked, ending the run's shared session.
JUNK_COOKIES = {ACCESS_COOKIE: "junk-access", REFRESH_COOKIE: "junk-refresh"}


@pytest.mark.check("api.logout.redirect_and_clear")
def test_logout_redirect_and_clear(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    variants = [
        ("GET", {}, {}, None),
        ("GET", JUNK_COOKIES, {}, None),
        ("POST", JUNK_COOKIES, {"Content-Type": "application/x-junk"}, b"\x00not json{"),
        ("POST", {}, {"Content-Type": "text/plain"}, b"redirect_url=https://evil.example/"),
    ]
    expected_target = f"{env.required('cognito.domain').rstrip('/')}/logout"
    expected_query = {"client_id": env.cognito.client_id, "logout_uri": env.cognito.logout_url}
    for method, cookies, headers, body in variants:
        response = api.request(
            method,
            "/auth/logout",
            params={"redirect_url": "https://evil.example/"},
            cookies=cookies,
            headers=headers,
            content=body,
        )
        location = expect_redirect(evidence, response)
        parts = urlsplit(location)
        actual = {"target": f"{parts.scheme}://{parts.netloc}{parts.path}", "query": query_of(location)}
        evidence.record(expected={"target": expected_target, "query": expected_query}, actual=actual)
        require(
            actual == {"target": expected_target, "query": expected_query},
            f"{method} /auth/logout (cookies: {bool(cookies)}): expected {expected_target}?{expected_query}, "
            f"got {location}",
        )
        expect_cookies(evidence, response, [ACCESS_COOKIE, REFRESH_COOKIE], clearing=True, env=env, owns_domain=False)
