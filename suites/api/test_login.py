"""`GET /auth/login` (SPEC §3.4 steps 1–4): a 302 to the hosted UI's authorize endpoint with fresh S256 PKCE."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.flows import start_login
from suites.api.helpers import expect_redirect, require


@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_login_redirects_to_hosted_ui(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    start = start_login(api)
    location = expect_redirect(evidence, start.response)
    expected_endpoint = f"{env.required('cognito.domain').rstrip('/')}/oauth2/authorize"
    parts = urlsplit(location)
    params = start.params
    expected = {
        "endpoint": expected_endpoint,
        "response_type": "code",
        "client_id": env.cognito.client_id,
        "redirect_uri": env.cognito.callback_url,
        "scope": "openid email profile",
        "code_challenge_method": "S256",
        "code_challenge length": 43,
        "state length": ">= 20",
    }
    state_length = len(params.get("state", ""))
    actual = {
        "endpoint": f"{parts.scheme}://{parts.netloc}{parts.path}",
        **{k: params.get(k) for k in ("response_type", "client_id", "redirect_uri", "scope", "code_challenge_method")},
        "code_challenge length": len(params.get("code_challenge", "")),
        "state length": state_length,
    }
    evidence.record(expected=expected, actual=actual)
    differences = [k for k in expected if k != "state length" and expected[k] != actual[k]]
    require(not differences, f"authorize URL differs in {differences}: expected {expected}, got {actual}")
    require(state_length >= 20, f"state is {state_length} chars, expected >= 20")


@pytest.mark.check("api.login.fresh_pkce")
def test_login_fresh_pkce(api: HttpClient, evidence: Evidence) -> None:
    first, second = start_login(api), start_login(api)
    same = [
        k for k in ("code_challenge", "state") if not first.params.get(k) or first.params.get(k) == second.params.get(k)
    ]
    evidence.record(expected={"repeated": []}, actual={"repeated": same})
    require(not same, f"two logins share (or lack) {same}: PKCE and state must be fresh per login")
