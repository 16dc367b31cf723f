"""A token planted in a response body (issue 9 item 4) reaches no sink through the real plugin path: the target
answers with a real-looking RS256 id token (payload: the user's sub and email) inside a body longer than every
truncation limit (120-character describe, 200/500-character page text, 2000-character messages, 64 KiB transcript
bodies), and the checks fail with messages that cut it, with pytest's own middle-cut reprs and with captured output.
No 12-character piece of the token, no `eyJ` and not the email may reach results.json, any document, the evidence,
the JUnit XML or the terminal; `token_fragments(run_dir)` is empty and the transcript's curl line is clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checks.http import MAX_BODY_BYTES
from reports.redaction import token_fragments
from tests.checks.gate_project import Gate, env_document
from tests.checks.test_redaction_rules import EMAIL, SUB, TOKEN, fragments_of

PREFIX = '{"error":"Unauthorized: Invalid or expired token","detail":"rejected '


def planted_body() -> str:
    """The token starts ~70 characters in (a 120-character cut lands in its payload), again across the 64 KiB
    transcript cut, and the detail string ends with the token (pytest's repr keeps its tail)."""
    head = f'{PREFIX}{TOKEN} for {EMAIL}","hint":"'
    straddle = MAX_BODY_BYTES - len(head) - 40  # the 64 KiB cut falls 40 characters into the second copy
    return head + "p" * straddle + TOKEN + '","tail":"' + TOKEN + '"}'


PLANTED_SUITE = f"""
import pytest

from checks.errors import CheckFailure

TOKEN = {TOKEN!r}


@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_describe_cuts_the_body(api):
    response = api.get("/auth/me", params={{"state": TOKEN, "code": "c0de"}}, cookies={{"hhl_access_token": TOKEN}})
    print("body starts", response.text[:100])
    raise CheckFailure(f"GET /auth/me: expected 200, got {{response.describe()}}")


@pytest.mark.check("api.login.fresh_pkce")
def test_pytest_repr_cuts_the_middle(api):
    body = api.get("/auth/me").json()
    assert body["tail"] == "a valid session", body["detail"][:150]
"""


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _leaks(text: str) -> list[str]:
    found = fragments_of(TOKEN, text)
    found += [needle for needle in ("eyJ", EMAIL, SUB) if needle in text]
    return found[:5]


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_planted_token_reaches_no_sink(gate: Gate, serve, xdist: tuple[str, ...]) -> None:
    body = planted_body()
    assert len(body.encode()) > MAX_BODY_BYTES and body.index(TOKEN) < 120 < body.index(TOKEN) + len(TOKEN)
    server = serve({"/auth/me": (401, {"Content-Type": "application/json"}, body)})
    gate.pytester.makeconftest("")  # the real reports package renders the run, not the fake finish hook
    gate.suite(PLANTED_SUITE)
    junit = gate.pytester.path / "junit.xml"
    result = gate.run("--env", str(gate.env_file(env_document(server.url))), "--junitxml", str(junit), *xdist)

    run_dir = gate.report_dir
    results = json.loads((run_dir / "results.json").read_text())
    statuses = {c["id"]: c["status"] for c in results["checks"]}
    assert statuses["api.login.redirects_to_hosted_ui"] == "failed"
    assert statuses["api.login.fresh_pkce"] == "failed"
    messages = {c["id"]: c["message"] for c in results["checks"]}
    # The messages still say what answered: the body was redacted, not dropped.
    assert '401 application/json \'{"error":"Unauthorized' in messages["api.login.redirects_to_hosted_ui"]
    assert "rejected <jwt alg=RS256" in messages["api.login.fresh_pkce"]
    documents = [p for p in _files(run_dir) if p.suffix == ".md"]
    assert {"test-results-summary.md", "FINAL-REPORT.md"} <= {p.name for p in documents}

    sinks = {str(p.relative_to(gate.pytester.path)): p.read_text(errors="replace") for p in [*_files(run_dir), junit]}
    sinks["terminal"] = result.stdout.str() + result.stderr.str()
    assert "test_describe_cuts_the_body" in sinks["terminal"]
    leaked = {name: found for name, text in sinks.items() if (found := _leaks(text))}
    assert leaked == {}
    assert token_fragments(run_dir) == []
    assert not any("live secret" in reason for reason in results["run"]["verdict_reasons"])

    transcripts = sorted(run_dir.glob("evidence/api.login.redirects_to_hosted_ui/*.txt"))
    curl = transcripts[0].read_text().splitlines()[0]
    assert re.search(r"[?&]state=\[REDACTED\][&']", curl) and "code=[REDACTED]" in curl
    assert "-h 'cookie: hhl_access_token=[redacted]'" in curl.lower() and "alg=" not in curl
    # The request did carry the token: redaction happened on the way to disk.
    assert any(TOKEN in headers.get("Cookie", "") for _, _, headers, _ in server.requests)
