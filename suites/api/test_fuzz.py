"""`api.fuzz.no_5xx`: Schemathesis-generated requests (valid and invalid) for every operation of the OpenAPI document
that no other check owns; any 5xx or any answer that violates the documented response schema is a finding, shown
with its reproducing request (sent once more, so the transcript is the evidence: curl form, cookies redacted).

Bounds come from the env file's `fuzz:` section (checks.fuzz.FuzzBounds); reads only unless `allow_writes`. The
fuzzer holds the sandbox's measurement lock, so it never runs while a load check measures (suites/load).
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from checks.errors import CheckFailure, LoginFailed, PreflightBlocked
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from checks.plugin.sandbox import measuring_alone
from environments import Environment
from suites.api.helpers import ACCESS_COOKIE
from suites.api.test_quiz import QUIZ_MODULE

if TYPE_CHECKING:
    from checks.fuzz import ContentSlugs, Exchange, Finding, FuzzBounds

MAX_REPLAYS = 10  # findings re-sent for their transcripts; the rest are listed in the summary only


def _session_cookies(request: pytest.FixtureRequest) -> dict[str, str]:
    """The access cookie of the fuzzer's own session (checks.users FUZZ: what its generated writes enroll or record
    reaches no user another check reads or measures); a sign-in failure is api.me.profile's (declared `requires`)."""
    try:
        session = request.getfixturevalue("fuzz_session")
    except LoginFailed as exc:
        raise PreflightBlocked(f"no signed-in session to fuzz the authenticated routes with ({exc})") from None
    return {ACCESS_COOKIE: session.access_token}


def _request(client: HttpClient, exchange: Exchange) -> Response:
    """Send one generated exchange exactly as it was generated (no cookie jar, no redirects)."""
    return client.request(
        exchange.method,
        exchange.path,
        params=exchange.params,
        headers=exchange.headers,
        cookies=exchange.cookies,
        content=exchange.body,
    )


def _replay(api: HttpClient, finding: Finding) -> str:
    """Send the finding's request once more through the transcribing client; one line for the failure message."""
    exchange = finding.exchange
    again = _request(api, exchange)
    where = again.transcript.name if again.transcript else "no transcript"
    reproduced = "reproduced" if again.status == finding.status else f"replay answered {again.status}"
    who = "signed in" if exchange.signed_in else "anonymous"
    return (
        f"{finding.operation} ({who}): {finding.kind}, {finding.status}: {finding.detail[:160]} [{reproduced}, {where}]"
    )


@pytest.mark.check("api.fuzz.no_5xx")
@pytest.mark.usefixtures("fuzz_user")  # named up front: the scheduler groups the checks that sign in (checks.users)
def test_fuzz_no_5xx(api: HttpClient, env: Environment, evidence: Evidence, request: pytest.FixtureRequest) -> None:
    # Schemathesis and Hypothesis take seconds to import: only a run that fuzzes pays for them, not every collection.
    from checks.fuzz import FuzzBounds, load_schema, run_fuzz, select_operations

    bounds = FuzzBounds.from_env(getattr(env, "fuzz", None))
    selection = select_operations(load_schema(), allow_writes=env.allow_writes)
    cookies = _session_cookies(request)
    fuzz_seed = random.SystemRandom().randrange(2**32)
    # A client of its own without evidence: hundreds of requests must not become hundreds of transcripts.
    sender = HttpClient(env.required("api_base_url"), timeout=api_timeout(bounds))

    def send(exchange: Exchange) -> httpx.Response:
        return _request(sender, exchange).raw

    sandbox = getattr(env, "sandbox", None)
    with sender, measuring_alone(Path(sandbox.state_file) if sandbox else None) as waited:
        if waited >= 1:
            evidence.note(
                f"waited {waited:.0f} s for the load checks to finish measuring (the sandbox measurement lock)"
            )
        report = run_fuzz(
            selection.operations,
            send,
            bounds=bounds,
            slugs=content_slugs(env),
            session_cookies=cookies,
            fuzz_seed=fuzz_seed,
        )
    summary = {**report.summary(), "not_fuzzed": selection.skipped}
    evidence.attach_json("fuzz-summary", summary)
    evidence.record(
        expected="no 5xx and every answer matching its documented schema",
        actual={"examples": report.examples_per_operation(), "findings": summary["findings"]},
    )
    short = sorted(name for name, run in report.runs.items() if run.cut_short)
    if short:  # not every generated case was sent: a pass would claim more than was tried
        evidence.warn(f"the {bounds.max_seconds:.0f} s bound cut the fuzzing of {len(short)} operation(s) short")
    findings = []
    for finding in report.findings.values():
        if finding.owner:
            evidence.note(
                f"{finding.operation} {finding.status}: {finding.kind} ({finding.owner}'s finding, not this check's)"
            )
        else:
            findings.append(finding)
    if findings:
        lines = [_replay(api, finding) for finding in findings[:MAX_REPLAYS]]
        more = f" (+{len(findings) - MAX_REPLAYS} more in fuzz-summary.json)" if len(findings) > MAX_REPLAYS else ""
        raise CheckFailure(f"{len(findings)} kind(s) of bad answer{more} (seed {fuzz_seed}):\n" + "\n".join(lines))


def content_slugs(env: Environment) -> ContentSlugs:
    """The env's slugs; an env file without `content.quiz_module` on the sandbox: the sandbox quiz (SPEC §5)."""
    from checks.fuzz import ContentSlugs

    slugs = ContentSlugs.from_env(env.content)
    if slugs.quiz_module is None and env.kind == "local":
        return dataclasses.replace(slugs, quiz_module=QUIZ_MODULE)
    return slugs


def api_timeout(bounds: FuzzBounds) -> float:
    """One request may take a tenth of the whole bound (at least 2 s): a hanging route cannot eat it all."""
    return max(2.0, bounds.max_seconds / 10)
