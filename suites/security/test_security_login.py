"""Login hardening (SPEC §3.4, §10 security.login.*): an opaque state, a browser-bound transaction, the OIDC nonce,
and a redirect sanitiser that only ever lands on the site."""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import urljoin, urlsplit

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment
from suites.api.flows import Credentials, complete_login, standin_faults, start_login
from suites.api.helpers import (
    AUTH_FAILED,
    INVALID_STATE,
    TXN_COOKIE,
    expect_cookies,
    expect_json,
    reference_clause,
    require,
    session_cookies_set,
)

HOSTILE_REDIRECTS = {
    "absolute URL": "https://evil.com/x",
    "protocol-relative": "//evil.com",
    "backslash": "/\\evil.com",
    "javascript scheme": "javascript:alert(1)",
    "data scheme": "data:text/html,x",
    "600 chars": "/learn/" + "a" * 593,
    "CR/LF": "/learn\r\nSet-Cookie: injected=1",
}


def _decoded(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, TypeError):
        return b""


def _readable(state: str) -> list[str]:
    """Why a state is not opaque: a JWT-shaped or JSON-decodable value, or one mentioning a verifier."""
    reasons = []
    parts = state.split(".")
    for i, part in enumerate(parts):
        raw = _decoded(part)
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            reasons.append(f"segment {i} decodes to JSON with keys {sorted(decoded)}")
        if b"verifier" in raw.lower():
            reasons.append(f"segment {i} mentions a verifier")
    if len(parts) == 3 and reasons:
        reasons.append("state is a JWT")
    return reasons


@pytest.mark.check("security.login.verifier_not_exposed")
def test_verifier_not_exposed(api: HttpClient, evidence: Evidence) -> None:
    state = start_login(api).params.get("state", "")
    reasons = _readable(state)
    evidence.record(expected={"opaque": True, "reasons": []}, actual={"length": len(state), "reasons": reasons})
    require(bool(state) and not reasons, f"state is readable by anyone who sees the URL: {reasons or 'empty state'}")


@pytest.mark.check("security.login.state_bound_to_browser")
def test_state_bound_to_browser(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    victim, attacker = start_login(api), start_login(api)
    expect_cookies(evidence, victim.response, [TXN_COOKIE], env=env, owns_domain=False)
    code = f"any-{secrets.token_hex(8)}"
    for label, cookies in (("another browser's txn", attacker.txn_cookie), ("no txn", {})):
        response = api.get("/auth/callback", params={"code": code, "state": victim.params["state"]}, cookies=cookies)
        expect_json(evidence, response, 400, INVALID_STATE)
        require(not session_cookies_set(response), f"callback with {label} set session cookies")


@pytest.mark.check("security.login.nonce")
def test_login_nonce(api: HttpClient, idp: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    start = start_login(api)
    nonce = start.params.get("nonce", "")
    evidence.record(expected={"nonce length": ">= 20"}, actual={"nonce length": len(nonce)})
    require(len(nonce) >= 20, f"the authorize request carries no usable nonce ({len(nonce)} chars)")
    if env.kind != "local":
        evidence.note("[local] the wrong-nonce ID token needs the sandbox stand-in: not tried on this target")
        return
    # [local] the stand-in mints an ID token whose nonce is not the one sent: the callback must refuse it.
    with standin_faults(idp, env.required("cognito.domain"), {"id_token": ["wrong_nonce"]}, user=user.username):
        login = complete_login(api, start, user)
    callback = login.callback
    evidence.record(
        expected={"wrong nonce": "refused: 400, no session cookies"},
        actual={"status": callback.status, "session cookies": session_cookies_set(callback)},
    )
    require(not session_cookies_set(callback), "a wrong-nonce ID token still set session cookies")
    if callback.status >= 500:
        evidence.note(f"wrong nonce refused with {callback.status}: a 5xx is api.callback.bad_code_not_5xx's concern")
    else:
        require(400 <= callback.status < 500, f"a wrong-nonce ID token was not refused: {callback.describe()}")
    reference_clause(
        evidence,
        env,
        callback.status == 400 and callback.json_or_none() == AUTH_FAILED,
        f"wrong nonce: expected 400 {AUTH_FAILED}, got {callback.describe()}",
    )


def _landing(site: str, location: str | None) -> tuple[str, bool]:
    """Where a browser lands for a callback `Location`, judged on the site: (URL, whether it was relative). A
    relative Location resolves on the API host, which is api.callback.success's finding; resolving it on the site
    keeps this check to the sanitiser's property. Browsers read `\\` as `/` in URLs (WHATWG), so `/\\evil.com` is
    `//evil.com`, another host."""
    value = (location or "").replace("\\", "/")
    relative = not urlsplit(value).scheme
    return urljoin(f"{site}/", value), relative


@pytest.mark.check("security.login.open_redirect")
def test_open_redirect(api: HttpClient, env: Environment, user: Credentials, evidence: Evidence) -> None:
    site = env.required("site_base_url").rstrip("/")
    landing = f"{site}/learn"
    finals: dict[str, str | None] = {}
    relative: list[str] = []
    for label, value in HOSTILE_REDIRECTS.items():
        login = complete_login(api, start_login(api, value), user)
        if login.callback.status != 302:
            finals[label] = login.callback.describe()
            continue
        finals[label], was_relative = _landing(site, login.callback.location)
        if was_relative:
            relative.append(label)
    wrong = {label: final for label, final in finals.items() if final != landing}
    evidence.record(expected={label: landing for label in finals}, actual=finals)
    if relative:
        evidence.note(f"relative callback Location for {relative}: api.callback.success's concern")
    require(not wrong, f"hostile redirect_url values must land on {landing}: {wrong}")
