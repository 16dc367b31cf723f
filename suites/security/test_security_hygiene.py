"""Key rotation, log and cache hygiene (SPEC §3.1, §3.5, §10): logins survive an IdP signing-key rotation, the
function's logs hold none of the run's secrets, and auth responses carrying secrets are never cacheable."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from checks.aws.session import ReadOnlyAws
from checks.errors import CheckFailure, HarnessError
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from checks.login import SignedInSession
from checks.plugin.state import run_state
from checks.polling import poll
from checks.secrets import register_secret, registered_secrets
from environments import Environment
from suites.api import forged
from suites.api.flows import Credentials, fresh_login, own_client_tokens, start_login
from suites.api.helpers import ACCESS_COOKIE, REFRESH_COOKIE, SESSION_COOKIES, query_of, require, where

# --- security.auth.jwks_rotation ---------------------------------------------------------------------------------

# SPEC §3.5 lets a backend refetch the JWKS at most once per 60 s: a correct backend whose limiter an earlier
# unknown-kid probe armed may refuse the new key for up to that long, so the check retries a little beyond it.
REFETCH_LIMIT_S = 60.0
ROTATION_RETRY_S = 5.0
ROTATION_DEADLINE_S = REFETCH_LIMIT_S + ROTATION_RETRY_S


def rotation_deadline_s(jwks_served_s_ago: object) -> float:
    """How long a correct backend may refuse the new key: its last JWKS fetch is no later than the stand-in last
    served the JWKS (to anyone), so its limiter frees by then + 60 s; without that figure, the whole window."""
    if not isinstance(jwks_served_s_ago, int | float) or isinstance(jwks_served_s_ago, bool):
        return ROTATION_DEADLINE_S
    return min(ROTATION_DEADLINE_S, max(0.0, REFETCH_LIMIT_S - float(jwks_served_s_ago)) + ROTATION_RETRY_S)


def _key_hook(idp: HttpClient, domain: str, body: dict[str, Any]) -> dict[str, Any]:
    response = idp.post(f"{domain.rstrip('/')}/__standin/rotate-key", json=body)
    answer = response.json_or_none()
    if response.status != 200 or not isinstance(answer, dict) or not answer.get("kid"):
        raise HarnessError(f"stand-in rotate-key hook: expected 200 with a kid, got {response.describe()}")
    return answer


@contextlib.contextmanager
def _signing_with(idp: HttpClient, domain: str, kid: str, previous: str) -> Iterator[None]:
    """The stand-in signs with `kid` for the block, then with `previous` again: every key stays published, so the
    sessions of concurrent checks and runs stay valid, and tokens minted elsewhere meet the rotated key only for the
    length of one login (on a never-refetching backend that bounds the damage to this check)."""
    _key_hook(idp, domain, {"activate": kid})
    try:
        yield
    finally:
        _key_hook(idp, domain, {"activate": previous})


def _login_after_rotation(api: HttpClient, user: Credentials, new_kid: str) -> dict[str, Any]:
    """One fresh login with the stand-in signing under `new_kid` (the caller holds the key), then `/auth/me` with
    the new access token alone (a refresh cookie would let a token of the old key answer instead)."""
    login = fresh_login(api, user)
    callback = login.callback
    cookie = callback.set_cookies.get(ACCESS_COOKIE)
    attempt: dict[str, Any] = {"callback": callback.status, "callback_body": callback.json_or_none()}
    if callback.status != 302 or cookie is None or not cookie.value:
        return {**attempt, "ok": False, "kid_is_new": None}
    attempt["kid_is_new"] = forged.kid_of(cookie.value) == new_kid
    if not attempt["kid_is_new"]:
        return {**attempt, "ok": False}  # another run moved the signing key meanwhile: this attempt proves nothing
    me = api.get("/auth/me", cookies={ACCESS_COOKIE: cookie.value})
    attempt["me"] = me.status
    attempt["ok"] = me.status == 200 and isinstance(me.json_or_none(), dict)
    return attempt


def _prime_key_cache(api: HttpClient, idp: HttpClient, env: Environment, user: Credentials) -> int:
    """Have the backend validate a token of the current key first (as a backend that has been serving does), so
    its JWKS cache holds the key set from before the rotation; else its first fetch would see the new key anyway."""
    tokens = own_client_tokens(idp, env, user)
    me = api.get("/auth/me", cookies={ACCESS_COOKIE: tokens["access_token"]})
    if me.status not in (200, 404):  # 404: a valid token for a user without a profile row
        raise HarnessError(
            f"before any rotation the backend already refuses a token of the current key ({me.describe()}): "
            "nothing to learn about rotation (api.me.profile / api.callback.success own that defect)"
        )
    return me.status


@pytest.mark.check("security.auth.jwks_rotation")
def test_jwks_rotation(
    api: HttpClient, idp: HttpClient, env: Environment, user: Credentials, evidence: Evidence
) -> None:
    domain = env.required("cognito.domain")
    primed = _prime_key_cache(api, idp, env, user)
    # keep_old: SPEC §10 says "old key dropped", but dropping it would invalidate the sessions other workers and
    # runs hold. The property is proven either way: a backend that never refetches does not know the new kid.
    rotated = _key_hook(idp, domain, {"keep_old": True})
    new_kid, kids = rotated["kid"], rotated.get("kids") or []
    deadline_s = rotation_deadline_s(rotated.get("jwks_served_s_ago"))
    if len(kids) < 2:
        raise HarnessError(f"the rotate-key hook published no previous key to restore: {kids}")
    previous = kids[1]
    _key_hook(idp, domain, {"activate": previous})  # _signing_with holds the new key only during each login
    attempts: list[dict[str, Any]] = []
    started = time.monotonic()

    def attempt() -> bool:
        with _signing_with(idp, domain, new_kid, previous):
            outcome = _login_after_rotation(api, user, new_kid)
        attempts.append({**outcome, "at_s": round(time.monotonic() - started, 1)})
        return bool(outcome["ok"])

    answer, _tries = poll(attempt, timeout_s=deadline_s, interval_s=ROTATION_RETRY_S)
    ok = bool(answer)  # None at the deadline
    evidence.record(
        expected={
            "after rotation": "fresh login → 302 with a session; /auth/me with the new access token → 200",
            "within_s": deadline_s,
        },
        actual={
            "jwks_served_s_ago": rotated.get("jwks_served_s_ago"),
            "primed_me": primed,
            "new_kid": new_kid,
            "previous_kid": previous,
            "attempts": attempts,
        },
    )
    if not ok and not any(a.get("kid_is_new") is not False for a in attempts):
        raise HarnessError("no login got a token signed with the rotated key (the signing key kept moving)")
    last = next(a for a in reversed(attempts) if a.get("kid_is_new") is not False)
    require(
        ok,
        f"after the IdP rotated its signing key (new kid {new_kid}), logins kept failing for "
        f"{deadline_s:.0f} s (the refetch limit allows no longer): "
        f"callback {last['callback']} {last['callback_body']}, "
        f"/auth/me {last.get('me', 'not reached')} (the backend does not refetch the JWKS on an unknown kid)",
    )
    if len(attempts) > 1:
        evidence.note(f"the new key was accepted only after {attempts[-1]['at_s']} s (a refetch limit delayed it)")


# --- security.logs.no_secrets ------------------------------------------------------------------------------------

LOG_WAIT_S = {"local": 30.0, "aws": 180.0}  # Lambda → CloudWatch ingestion is usually seconds, rarely minutes
LOG_POLL_S = {"local": 0.5, "aws": 5.0}
LOG_SKEW_MS = 5_000  # our clock vs the log timestamps
MAX_LOG_EVENTS = 50_000
_PAGE = 1_000


def _iso_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp() * 1000)


def _log_events(logs: Any, group: str, start_ms: int, end_ms: int | None = None) -> list[dict[str, Any]]:
    """Every event of `group` from `start_ms` (read-only FilterLogEvents); more than MAX_LOG_EVENTS → error, since
    an unread remainder could hold exactly what the check looks for."""
    query: dict[str, Any] = {"logGroupName": group, "startTime": start_ms, "limit": _PAGE}
    if end_ms is not None:
        query["endTime"] = end_ms
    events: list[dict[str, Any]] = []
    while True:
        page = logs.filter_log_events(**query)
        events += page.get("events", [])
        if len(events) > MAX_LOG_EVENTS:
            raise HarnessError(f"{group}: more than {MAX_LOG_EVENTS} log events in the run window; not all scanned")
        token = page.get("nextToken")
        if not token or token == query.get("nextToken"):
            return events
        query["nextToken"] = token


def _forms(value: str) -> set[str]:
    """The encodings a value may be logged in: raw, url-encoded, form-encoded, JSON-escaped."""
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


def _where_in(message: str, form: str) -> str:
    """`<event>.<field>` of the JSON log line holding `form` (names only, never the value)."""
    try:
        line = json.loads(message)
    except ValueError:
        return "a non-JSON line"
    if not isinstance(line, dict):
        return "a non-JSON line"
    fields = [k for k, v in line.items() if form.lower() in json.dumps(v, default=str).lower()]
    return f"{line.get('event', '?')}.{'/'.join(fields) or '?'}"


def _findings(events: list[dict[str, Any]], needles: dict[str, str], email: str) -> list[dict[str, Any]]:
    forms = {form: label for value, label in needles.items() for form in _forms(value) if len(form) >= 6}
    email_forms = {f.lower() for f in _forms(email)} if "@" in email else set()
    found = []
    for event in events:
        message = str(event.get("message", ""))
        hits = {(label, _where_in(message, form)) for form, label in forms.items() if form in message}
        lowered = message.lower()
        hits |= {("the test user's raw email", _where_in(message, f)) for f in email_forms if f in lowered}
        for label, field in sorted(hits):
            stamp = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC).isoformat(timespec="seconds")
            found.append({"what": label, "where": field, "at": stamp, "stream": event.get("logStreamName", "")})
    return found


def _secret_label(value: str) -> str:
    return "a registered token (JWT)" if value.startswith("eyJ") else f"a registered secret ({len(value)} chars)"


def _session_if_any(request: pytest.FixtureRequest, evidence: Evidence) -> SignedInSession | None:
    """The shared session, or None when the *backend* broke its sign-in: that is the login checks' failure, and
    the rest of this check's traffic is still judged (a harness-side sign-in error still ends the check `error`)."""
    try:
        return request.getfixturevalue("signed_in")
    except CheckFailure as exc:
        evidence.note(f"judged without the shared session: {exc}")
        return None


def _auth_traffic(api: HttpClient, session: SignedInSession | None) -> dict[str, str]:
    """The check's own auth traffic, each secret it handles labelled: login (state, nonce, transaction), a callback
    with a bogus code, `/auth/me` by cookie, Bearer and refresh cookie, and a logout with a junk refresh token."""
    own: dict[str, str] = {}
    start = start_login(api)
    own[start.params.get("state", "")] = "the state of the check's own /auth/login"
    own[start.params.get("nonce", "")] = "the nonce of the check's own /auth/login"
    own[start.txn] = "the check's login-transaction cookie"
    own[bogus := "hhl-bogus-code-" + secrets.token_urlsafe(16)] = "the check's callback code"
    api.get("/auth/callback", params={"code": bogus, "state": start.params.get("state", "")}, cookies=start.txn_cookie)
    if session is not None:
        own[session.access_token] = "the session's access token"
        api.get("/auth/me", cookies={ACCESS_COOKIE: session.access_token})
        api.get("/auth/me", headers={"Authorization": f"Bearer {session.access_token}"})
        if session.refresh_token:
            own[session.refresh_token] = "the session's refresh token"
            refreshed = api.get("/auth/me", cookies={REFRESH_COOKIE: session.refresh_token})
            cookie = refreshed.set_cookies.get(ACCESS_COOKIE)
            if cookie is not None and cookie.value:
                own[cookie.value] = "an access token from a silent refresh"
    own[junk := "hhl-junk-refresh-" + secrets.token_urlsafe(16)] = "the refresh cookie sent to /auth/logout"
    api.get("/auth/logout", cookies={REFRESH_COOKIE: junk})
    own.pop("", None)
    for value in own:
        register_secret(value)
    return own


def _ingested(logs: Any, group: str, marker: str, sent_ms: int) -> bool:
    """The marker request's `validation_failure` line (SPEC §3.9 logs a redacted payload excerpt), or any event
    stamped after that request was sent: the function's lines up to then have reached the group."""
    events = _log_events(logs, group, sent_ms - 60_000)
    return any(marker in str(e.get("message", "")) or int(e.get("timestamp", 0)) > sent_ms for e in events)


@pytest.mark.check("security.logs.no_secrets")
def test_logs_hold_no_secrets(
    request: pytest.FixtureRequest,
    api: HttpClient,
    env: Environment,
    aws: ReadOnlyAws,
    user: Credentials,
    evidence: Evidence,
) -> None:
    window_start = _iso_ms(run_state(request.config).started_at) - LOG_SKEW_MS
    own = _auth_traffic(api, _session_if_any(request, evidence))
    marker = f"hhl-log-probe-{secrets.token_hex(8)}"
    sent_ms = int(time.time() * 1000)
    probe = api.post("/events/track", content=f"{{not json {marker}", headers={"Content-Type": "application/json"})
    logs, group = aws.client("logs"), env.log_group
    seen, polls = poll(
        lambda: _ingested(logs, group, marker, sent_ms),
        timeout_s=LOG_WAIT_S.get(env.kind, 180.0),
        interval_s=LOG_POLL_S.get(env.kind, 5.0),
    )
    if not seen:
        raise HarnessError(
            f"{group}: the check's own traffic never reached the log group within "
            f"{LOG_WAIT_S.get(env.kind, 180.0):.0f} s ({polls} polls; probe answered {probe.status}); nothing to judge"
        )
    events = _log_events(logs, group, window_start, int(time.time() * 1000) + LOG_SKEW_MS)
    needles = {value: _secret_label(value) for value in registered_secrets()}
    needles.update(own)  # own values carry the more telling label
    findings = _findings(events, needles, user.username)
    evidence.record(
        expected={"in the run's log events": "no registered secret, no raw test-user email"},
        actual={
            "log_group": group,
            "events_scanned": len(events),
            "secrets_looked_for": len(needles),
            "findings": findings,
        },
    )
    require(
        not findings,
        f"{group} holds secrets of this run: "
        + "; ".join(f"{f['what']} in {f['where']} ({f['at']})" for f in findings[:10]),
    )


# --- security.cache.no_store -------------------------------------------------------------------------------------


def _cache_reason(response: Response) -> str | None:
    """Why this `/auth/*` response falls under the property (sets or clears a session cookie, or redirects with a
    code or state), or None."""
    changed = [name for name in SESSION_COOKIES if name in response.set_cookies]
    if changed:
        return f"sets/clears {', '.join(changed)}"
    if response.status in (301, 302, 303, 307, 308) and response.location:
        carried = sorted({"code", "state"} & set(query_of(response.location)))
        if carried:
            return f"redirects with {', '.join(carried)}"
    return None


def _no_store(response: Response) -> bool:
    directives = {d.strip().lower() for d in response.headers.get("cache-control", "").split(",")}
    return "no-store" in directives


@pytest.mark.check("security.cache.no_store")
def test_auth_responses_not_cacheable(request: pytest.FixtureRequest, api: HttpClient, evidence: Evidence) -> None:
    exchanges: list[Response] = [start_login(api).response]
    session = _session_if_any(request, evidence)
    if session is not None:
        exchanges.append(session.callback)  # the sign-in's callback: it set the session cookies
        if session.refresh_token:
            exchanges.append(api.get("/auth/me", cookies={REFRESH_COOKIE: session.refresh_token}))
    exchanges += [api.get("/auth/logout"), api.post("/auth/logout", content=b"")]
    judged, not_judged, problems = [], [], []
    for response in exchanges:
        reason = _cache_reason(response)
        name = f"{where(response)} {response.status}"
        if reason is None:
            not_judged.append(name)
            continue
        cache_control = response.headers.get("cache-control")
        judged.append({"response": name, "because": reason, "cache_control": cache_control})
        if not _no_store(response):
            problems.append(f"{name} ({reason}): Cache-Control {cache_control!r}")
    evidence.record(
        expected={"Cache-Control": "no-store on every judged response"},
        actual={"judged": judged, "not_judged": not_judged},
    )
    if not_judged:
        evidence.note(f"not under the property (no session cookie change, no code/state redirect): {not_judged}")
    require(bool(judged), "no /auth/* response set a session cookie or redirected with code/state: nothing to judge")
    require(not problems, f"cacheable auth responses: {problems}")
