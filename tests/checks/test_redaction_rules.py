"""Redaction that cannot be cut around (issue 9 item 4): JWT pieces go even when cut short, fragments of registered
secrets go, text is redacted before it is cut, placeholders survive a second pass unchanged, curl lines stay clean,
and the final scan (reports.redaction) finds secret prefixes and JWT fragments."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from checks.redaction import FRAGMENT_LENGTH, REDACTED, excerpt, jwt_fragments, redact_json, redact_text
from reports.redaction import contains_secret, scan_run_dir, scrub_text, scrub_value, token_fragments
from tests.checks.gate_project import Server

EMAIL = "planted.learner@example.com"
SUB = "5f0c2a3e-8b1d-4c7a-9e6f-2d4b8a1c3e5f"


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def make_token() -> str:
    """A real-looking RS256 id token: header with kid, a payload carrying the user's sub and email, a signature."""
    header = _b64({"alg": "RS256", "kid": "rsa-key-2026-11", "typ": "JWT"})
    payload = _b64(
        {
            "sub": SUB,
            "email": EMAIL,
            "email_verified": True,
            "iss": "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123",
            "aud": "4k2l9m3n5o7p1q8r6s0t",
            "token_use": "id",
            "auth_time": 1764600000,
            "exp": 1764603600,
        }
    )
    signature = base64.urlsafe_b64encode(bytes(range(256))).decode().rstrip("=")
    return f"{header}.{payload}.{signature}"


TOKEN = make_token()
HEADER, PAYLOAD, _ = TOKEN.split(".")


def fragments_of(secret: str, text: str, n: int = FRAGMENT_LENGTH) -> list[str]:
    """Every n-character piece of `secret` found in `text` (the leak criterion of the tests)."""
    return sorted({secret[i : i + n] for i in range(len(secret) - n + 1) if secret[i : i + n] in text})


def leaks(text: str) -> list[str]:
    return fragments_of(TOKEN, text) + ([EMAIL] if EMAIL in text else []) + (["eyJ"] if "eyJ" in text else [])


# --- JWT pieces ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(12, id="inside-header"),
        pytest.param(len(HEADER), id="header-no-dot"),
        pytest.param(len(HEADER) + 1, id="header-and-dot"),
        pytest.param(len(HEADER) + 30, id="inside-payload"),
        pytest.param(len(HEADER) + len(PAYLOAD) + 1, id="two-parts-no-signature"),
        pytest.param(len(TOKEN), id="whole"),
    ],
)
@pytest.mark.parametrize(
    "context",
    [
        "{}",
        '{{"error": "bad token {}"}}',
        "Authorization: Bearer {}",
        "/auth/callback?code=1&id_token_hint={}",
        "x{}",  # glued to a letter: still JSON once decoded
        "redirect=https%3A%2F%2Fsite%2Fcb%3Ft%3D{}",
    ],
)
def test_a_jwt_is_replaced_wherever_it_was_cut(cut: int, context: str) -> None:
    text = context.format(TOKEN[:cut]) + "\ntail"
    redacted = redact_text(text, secrets=[])
    assert leaks(redacted) == []
    assert "<jwt " in redacted or REDACTED in redacted
    assert redacted.endswith("\ntail")


def test_summaries_say_what_is_known_and_mark_a_cut() -> None:
    assert redact_text(TOKEN, []) == (
        "<jwt alg=RS256 kid=rsa-key-2026-11 iss=https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123 "
        "aud=4k2l9m3n5o7p1q8r6s0t token_use=id exp=1764603600>"
    )
    assert redact_text(TOKEN[: len(HEADER) + 20], []) == "<jwt alg=RS256 cut>"
    assert redact_text(TOKEN[:20], []) == "<jwt cut>"


def test_identifiers_that_merely_contain_eyJ_are_left_alone() -> None:
    text = "surveyJson keyJwks heyJude"
    assert redact_text(text, []) == text


def test_claim_values_cannot_smuggle_markup_into_a_summary() -> None:
    header, payload = _b64({"alg": "RS256", "kid": "k>1 <b>"}), _b64({"iss": "a@b.co\n>", "exp": 1})
    evil = f"{header}.{payload}.sig"
    summary = redact_text(evil, [])
    assert summary.count(">") == 1 and "\n" not in summary and "@" not in summary
    assert redact_text(summary, []) == summary


# --- registered secrets --------------------------------------------------------------------------------------------


def test_any_fragment_of_a_registered_secret_goes() -> None:
    secret = "pat-na1-0f9e8d7c-6b5a-4321-9abc-def012345678"
    text = f"start {secret[:14]} middle {secret[5:30]} end {secret[-13:]} whole {secret}!"
    redacted = redact_text(text, secrets=[secret])
    assert fragments_of(secret, redacted) == []
    assert redacted.startswith("start [REDACTED] middle [REDACTED] end [REDACTED] whole [REDACTED]!")
    # Shorter than a fragment: only the whole secret is a leak (no innocent text is eaten).
    assert redact_text("ab12cd34 and ab12cd", secrets=["ab12cd34"]) == "[REDACTED] and ab12cd"


# --- placeholders: idempotent, never mangled -----------------------------------------------------------------------

SAMPLES = [
    f"# curl -sS -i -X GET 'http://127.0.0.1:8401/auth/callback?code=abc&state={TOKEN}' "
    f"-H 'Cookie: hhl_auth_txn={TOKEN}; hhl_access_token={TOKEN}' -H 'Authorization: Bearer {TOKEN}'",
    f"> Cookie: hhl_access_token={TOKEN}\n< Set-Cookie: hhl_refresh_token=opaque; Path=/auth; HttpOnly",
    f'{{"id_token": "{TOKEN}", "note": "{TOKEN[:40]}", "user": "{EMAIL}", "state": "x"}}',
    f"state={REDACTED} <jwt alg=RS256 kid=k1 exp=1> <email:0123abcd> and {TOKEN[:77]}",
    f"Location: https://idp/authorize?state={TOKEN}&nonce=n0nce&redirect_uri=https%3A%2F%2Fapi%2Fcb",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text, secrets=["n0nce-is-not-registered-here"])
    assert redact_text(once, secrets=["n0nce-is-not-registered-here"]) == once
    assert leaks(once) == []


def test_curl_lines_come_out_clean() -> None:
    redacted = redact_text(SAMPLES[0], secrets=[])
    assert redacted == (
        "# curl -sS -i -X GET 'http://127.0.0.1:8401/auth/callback?code=[REDACTED]&state=[REDACTED]' "
        "-H 'Cookie: hhl_auth_txn=[REDACTED]; hhl_access_token=[REDACTED]' -H 'Authorization: Bearer [REDACTED]'"
    )


def test_placeholders_in_the_input_are_not_rewritten() -> None:
    text = f"state={REDACTED}&x=1 <jwt alg=HS256 kid=- exp=5> token=<jwt alg=RS256 cut> <email:deadbeef>"
    assert redact_text(text, []) == text.replace("token=<jwt alg=RS256 cut>", f"token={REDACTED}")


def test_structured_redaction_of_a_cut_token() -> None:
    redacted = redact_json({"detail": [TOKEN[:50]], "email": EMAIL, "access_token": TOKEN}, secrets=[])
    assert leaks(json.dumps(redacted)) == []


# --- excerpt: redact, then cut -------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [5, 20, 40, 120, 200, 500, 2000])
def test_excerpt_redacts_before_it_cuts(limit: int) -> None:
    body = json.dumps({"error": "x" * 30, "id_token": TOKEN, "email": EMAIL, "raw": TOKEN, "pad": "y" * 3000})
    shown = excerpt(body, limit, secrets=[])
    assert len(shown) <= limit + 1 and leaks(shown) == []
    assert shown == body if len(body) <= limit else shown.endswith("…")


def test_excerpt_never_ends_inside_a_placeholder() -> None:
    shown = excerpt("abc " + TOKEN, 10, secrets=[])
    assert shown == "abc …"


def test_response_describe_cuts_after_redacting(tmp_path: Path, serve) -> None:
    body = json.dumps({"message": "bad", "token_hint": TOKEN, "email": EMAIL}) + " " * 500
    server: Server = serve({"/auth/me": (401, {"Content-Type": "application/json"}, body)})
    with HttpClient(server.url, evidence=Evidence(tmp_path, "api.me.x")) as client:
        described = client.get("/auth/me").describe()
    assert described.startswith("401 application/json ")
    assert leaks(described) == [] and len(described) < 160


# --- the final scan and token_fragments ----------------------------------------------------------------------------


def test_final_scan_finds_prefixes_and_jwt_fragments_without_echoing_them(tmp_path: Path) -> None:
    secret = "Hh1-averylongtestpassword-xyz"
    (tmp_path / "evidence").mkdir()
    (tmp_path / "clean.md").write_text("nothing <jwt alg=RS256 cut> here [REDACTED]\n")
    (tmp_path / "evidence" / "prefix.txt").write_text(f"cut at 12: {secret[:12]}…\n")
    (tmp_path / "evidence" / "jwt.txt").write_text(f"message: '{TOKEN[:30]}…'\n")
    (tmp_path / "shot.png").write_bytes(b"\x89PNG\x00" + TOKEN[:20].encode() + b"\xff")
    hits = scan_run_dir(tmp_path, [secret])
    assert sorted(h.split(" ", 1)[0] for h in hits) == ["evidence/jwt.txt", "evidence/prefix.txt", "shot.png"]
    assert all("live secret" in h for h in hits)  # reports.finish sorts findings by this phrase
    assert not any(secret[:12] in h or "eyJ" in h for h in hits)
    assert token_fragments(tmp_path) == ["evidence/jwt.txt: 1 JWT fragment(s)", "shot.png: 1 JWT fragment(s)"]


def test_token_fragments_is_empty_for_a_clean_run_dir(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"message": redact_text(TOKEN[:50] + " " + EMAIL, [])}))
    assert token_fragments(tmp_path) == []


def test_scrub_masks_and_flags_jwt_fragments_and_secret_prefixes() -> None:
    secret = "Hh1-averylongtestpassword-xyz"
    value = {"message": f"got {TOKEN[:40]}", "other": f"pw {secret[:13]}", "fine": "<jwt alg=RS256 cut>"}
    scrubbed = scrub_value(value, [secret])
    assert contains_secret(value, [secret]) and not contains_secret(scrubbed, [secret])
    assert "eyJ" not in json.dumps(scrubbed) and secret[:12] not in json.dumps(scrubbed)
    assert scrub_text("plain text", [secret]) == "plain text"


def test_jwt_fragments_helper_matches_what_redaction_replaces() -> None:
    text = f"a {TOKEN[:9]} b x{TOKEN[:20]} c surveyJson"
    assert jwt_fragments(text) == [TOKEN[:9], TOKEN[:20]]
    assert jwt_fragments(redact_text(text, [])) == []
