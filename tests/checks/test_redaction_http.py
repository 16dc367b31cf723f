"""Redaction rules (SPEC §11.1, one test each) and the curl-style client's transcripts, cookies and errors."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from checks.errors import CheckFailure, TargetUnreachable
from checks.evidence import Evidence
from checks.http import HttpClient, parse_set_cookie
from checks.redaction import REDACTED, redact_json, redact_text
from tests.checks.gate_project import Server


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


CLAIMS = {"iss": "https://idp/p", "aud": "c", "token_use": "id", "exp": 9}
JWT = f"{_b64({'alg': 'RS256', 'kid': 'k1'})}.{_b64(CLAIMS)}.s1g"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Set-Cookie: hhl_refresh_token=opaque123; Path=/auth; HttpOnly", f"hhl_refresh_token={REDACTED}; Path=/auth"),
        ("> Cookie: hhl_auth_txn=abc; other=def", f"hhl_auth_txn={REDACTED}; other={REDACTED}"),
        ("< Authorization: Bearer abc.def.ghi", f"Authorization: Bearer {REDACTED}"),
        ("GET /cb?code=c0de&state=st4te&nonce=n0nce&x=1", f"code={REDACTED}&state={REDACTED}&nonce={REDACTED}&x=1"),
        ("/t?code_verifier=v3rifier&token=t0k", f"code_verifier={REDACTED}&token={REDACTED}"),
        ('{"id_token": "x", "password": "p", "client_secret": "s"}', f'"password": "{REDACTED}"'),
        (JWT, "<jwt alg=RS256 kid=k1 iss=https://idp/p aud=c token_use=id exp=9>"),
        ("contact Learner@Example.com now", "contact <email:"),
    ],
)
def test_each_rule(text: str, expected: str) -> None:
    assert expected in redact_text(text, secrets=[])


def test_clearing_cookie_stays_visible_and_secrets_go_in_every_encoding() -> None:
    assert redact_text("Set-Cookie: hhl_access_token=; Max-Age=0; Path=/", []).endswith("=; Max-Age=0; Path=/")
    text = 'pw=P@ss word! enc=P%40ss+word%21 json="P@ss word!"'
    assert "P@ss" not in redact_text(text, secrets=["P@ss word!"])


def test_redact_json_masks_sensitive_keys_whatever_the_type() -> None:
    redacted = redact_json({"refresh_token": 123, "nested": [{"accessToken": "a", "email": "a@b.co"}], "ok": 1}, [])
    assert redacted == {
        "refresh_token": REDACTED,
        "nested": [{"accessToken": REDACTED, "email": redacted["nested"][0]["email"]}],
        "ok": 1,
    }
    assert redacted["nested"][0]["email"].startswith("<email:")


def test_transcript_records_the_exchange_redacted(tmp_path: Path, serve) -> None:
    server: Server = serve(
        {
            "/auth/login": (
                302,
                {
                    "Location": "https://idp/authorize?state=s3cr3t",
                    "Set-Cookie": "hhl_auth_txn=sealed; Path=/auth; HttpOnly",
                },
                "",
            )
        }
    )
    evidence = Evidence(tmp_path, "api.login.redirects_to_hosted_ui")
    with HttpClient(server.url, evidence=evidence, cookies={"hhl_access_token": JWT}) as client:
        response = client.get("/auth/login", params={"redirect_url": "/learn"})
    assert response.status == 302 and response.location == "https://idp/authorize?state=s3cr3t"  # not followed
    assert response.set_cookies["hhl_auth_txn"].has("httponly")
    assert evidence.files() == ["evidence/api.login.redirects_to_hosted_ui/01-GET-auth-login.txt"]
    transcript = (tmp_path / evidence.files()[0]).read_text()
    assert transcript.startswith(f"# curl -sS -i -X GET '{server.url}/auth/login?redirect_url=%2Flearn'")
    assert "> GET /auth/login?redirect_url=%2Flearn HTTP/1.1" in transcript and "< HTTP/1.1 302 Found" in transcript
    assert f"hhl_auth_txn={REDACTED}; Path=/auth; HttpOnly" in transcript
    assert "s3cr3t" not in transcript and "sealed" not in transcript and JWT not in transcript
    # The cookie was carried explicitly on the wire.
    assert server.requests[0][2]["Cookie"] == f"hhl_access_token={JWT}"


def test_json_is_parsed_by_body_not_content_type(serve) -> None:
    server: Server = serve({"/plain": (200, {"Content-Type": "text/plain"}, '{"ok": true}'), "/html": (200, {}, "<p>")})
    with HttpClient(server.url) as client:
        assert client.get("/plain").json() == {"ok": True}
        with pytest.raises(CheckFailure, match=r"GET .*/html: body is not JSON: 200"):
            client.get("/html").json()


def test_carry_keeps_set_and_drops_cleared_cookies(serve) -> None:
    server: Server = serve({"/x": (200, {"Set-Cookie": "a=; Max-Age=0"}, "")})
    with HttpClient(server.url, cookies={"a": "1", "b": "2"}) as client:
        client.carry(client.get("/x"))
        assert client.cookies == {"b": "2"}


def test_unreachable_target_is_a_clear_failure(tmp_path: Path) -> None:
    evidence = Evidence(tmp_path, "api.target.gateway_fingerprint")
    with HttpClient("http://127.0.0.1:9", evidence=evidence) as client, pytest.raises(TargetUnreachable) as caught:
        client.get("/auth/me")
    assert str(caught.value).startswith("target unreachable: http://127.0.0.1:9/auth/me (ConnectError")
    assert isinstance(caught.value, AssertionError)  # → `failed`, never a pass
    assert "ConnectError" in (tmp_path / evidence.files()[0]).read_text()


def test_parse_set_cookie_attributes() -> None:
    cookie = parse_set_cookie("hhl_access_token=v; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict")
    assert (cookie.name, cookie.value, cookie.max_age, cookie.get("samesite")) == (
        "hhl_access_token",
        "v",
        3600,
        "Strict",
    )
    assert cookie.has("Secure") and not cookie.clears
