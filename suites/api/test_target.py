"""API preflight (SPEC §10): prove positively that `api_base_url` answers as the API gateway + backend before any
other api/security check runs. A failure here blocks those checks and is the run's one environment error.

The worked example for suite authors: one `@pytest.mark.check` per test, the `api` client (transcripts land in
the check's evidence), `evidence.record(expected=, actual=)` for the report, and exact body assertions.
"""

from __future__ import annotations

import secrets

import pytest

from checks.errors import TargetMismatch
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from environments import Environment

GATEWAY_404 = {"message": "Not Found"}
WWW_AUTHENTICATE = 'Bearer realm="Hedgehog Learn"'


def _mismatch(summary: str, response: Response, env: Environment) -> TargetMismatch:
    where = env.source_file + (f" (filled from the sandbox state {env.sandbox.state_file})" if env.sandbox else "")
    return TargetMismatch(
        summary, url=response.url, answered=response.describe(), env_key="api_base_url", env_file=where
    )


def _expect_api(response: Response, env: Environment) -> None:
    """A web page (HTML, CMS markers) where the API should be is the misrouting of the real rollout."""
    if response.looks_like_html:
        raise _mismatch("API base answers as a web page", response, env)


@pytest.mark.check("api.target.gateway_fingerprint")
def test_gateway_fingerprint(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    probe = api.get(f"/__hhl_probe_{secrets.token_hex(6)}")
    evidence.record(
        expected={"status": 404, "content_type": "application/json", "body": GATEWAY_404},
        actual={"status": probe.status, "content_type": probe.content_type, "body": probe.json_or_none()},
    )
    _expect_api(probe, env)
    if (probe.status, probe.content_type, probe.json_or_none()) != (404, "application/json", GATEWAY_404):
        raise _mismatch("API base does not answer as the API gateway (unknown route ≠ its JSON 404)", probe, env)


@pytest.mark.check("api.target.auth_me_fingerprint")
def test_auth_me_fingerprint(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    me = api.get("/auth/me")
    body = me.json_or_none()
    error = body.get("error") if isinstance(body, dict) else None
    evidence.record(
        expected={"status": 401, "error": "Unauthorized…", "www-authenticate": WWW_AUTHENTICATE},
        actual={"status": me.status, "error": error, "www-authenticate": me.headers.get("www-authenticate")},
    )
    _expect_api(me, env)
    if me.status != 401 or not isinstance(error, str) or not error.startswith("Unauthorized"):
        raise _mismatch("API base does not answer /auth/me as the backend (401 Unauthorized JSON)", me, env)
    assert me.headers.get("www-authenticate") == WWW_AUTHENTICATE, (
        f"/auth/me 401 lacks `WWW-Authenticate: {WWW_AUTHENTICATE}`: got {me.headers.get('www-authenticate')!r}"
    )
