"""Positive assertions shared by the API and security suites: exact status + exact JSON body, cookie set/clear
rules (SPEC §3.3) and small readers of the progress tree. Every helper raises CheckFailure naming the exchange
and records expected vs actual into the check's evidence, so a finding is never a bare `assert`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from checks.errors import CheckFailure, PreflightBlocked
from checks.evidence import Evidence
from checks.http import Response, SetCookie
from checks.login import ACCESS_COOKIE, REFRESH_COOKIE, SESSION_COOKIES, TXN_COOKIE  # re-exported to the suites
from environments import Environment

WWW_AUTHENTICATE = 'Bearer realm="Hedgehog Learn"'
NOT_FOUND = {"message": "Not Found"}
INVALID_TOKEN = {"error": "Unauthorized: Invalid or expired token"}
INVALID_STATE = {"error": "Invalid or expired state parameter"}
AUTH_FAILED = {"error": "Authentication failed"}
PERSISTED = {"status": "persisted", "mode": "authenticated", "backend": "dynamodb"}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
EMPTY_VALUES = ("", '""')
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# SPEC §3.3: the attributes each cookie must carry when set (values compared case-insensitively for SameSite).
COOKIE_POLICY: dict[str, dict[str, str]] = {
    ACCESS_COOKIE: {"max-age": "3600", "path": "/", "samesite": "strict"},
    REFRESH_COOKIE: {"max-age": "2592000", "path": "/auth", "samesite": "strict"},
    TXN_COOKIE: {"max-age": "600", "path": "/auth", "samesite": "lax"},
}


def blocked_unless(condition: bool, owner: str, message: str) -> None:
    """One root cause, one red check (SPEC §10): when what this check needs is another check's defect (the login
    broke, no session was set), this check ends `blocked` naming that owner instead of failing a second time."""
    if not condition:
        raise PreflightBlocked(f"{message}: {owner}'s concern")


def require(condition: bool, message: str) -> None:
    """The one way a check fails: a CheckFailure whose message says what was expected and what answered."""
    if not condition:
        raise CheckFailure(message)


def where(response: Response) -> str:
    return f"{response.method} {urlsplit(response.url).path}"


def expect_json(evidence: Evidence, response: Response, status: int, body: Any) -> Any:
    """Exact status and exact JSON body (parsed by content, whatever the Content-Type)."""
    actual = response.json_or_none()
    evidence.record(expected={"status": status, "body": body}, actual={"status": response.status, "body": actual})
    require(
        response.status == status and actual == body,
        f"{where(response)}: expected {status} {body}, got {response.describe()}",
    )
    return actual


def expect_status(evidence: Evidence, response: Response, status: int) -> Any:
    """Exact status and a JSON object body (returned for the caller's finer assertions)."""
    actual = response.json_or_none()
    evidence.record(expected={"status": status, "body": "JSON object"}, actual={"status": response.status})
    require(
        response.status == status and isinstance(actual, dict),
        f"{where(response)}: expected {status} with a JSON object, got {response.describe()}",
    )
    return actual


def expect_error_code(evidence: Evidence, response: Response, status: int, code: str) -> dict[str, Any]:
    """The §3.9 envelope: `{"error": str, "details": {"code": code, "details": [non-empty]}}`."""
    body = expect_status(evidence, response, status)
    details = body.get("details")
    require(
        isinstance(body.get("error"), str)
        and isinstance(details, dict)
        and details.get("code") == code
        and isinstance(details.get("details", []), list),
        f"{where(response)}: expected {status} with details.code {code}, got {response.describe()}",
    )
    return body


def expect_redirect(evidence: Evidence, response: Response, location: str | None = None) -> str:
    """A 302 (never followed); with `location`, the Location must equal it exactly."""
    evidence.record(
        expected={"status": 302, "location": location or "any"},
        actual={"status": response.status, "location": response.location},
    )
    require(
        response.status == 302 and bool(response.location),
        f"{where(response)}: expected 302, got {response.describe()}",
    )
    if location is not None:
        require(
            response.location == location, f"{where(response)}: expected Location {location}, got {response.location}"
        )
    return response.location or ""


def query_of(url: str) -> dict[str, str]:
    """Single-valued query parameters; a repeated parameter is a finding (ambiguous for the IdP)."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True)
    repeated = [name for name, values in parsed.items() if len(values) > 1]
    require(not repeated, f"{url}: repeated query parameters {repeated}")
    return {name: values[0] for name, values in parsed.items()}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def session_cookies_set(response: Response) -> list[str]:
    """Names of session cookies the response sets to a value (a clearing header does not count)."""
    cookies = response.set_cookies
    return [name for name in SESSION_COOKIES if name in cookies and not _is_clearing(cookies[name])]


def _is_clearing(cookie: SetCookie) -> bool:
    return cookie.value in EMPTY_VALUES or (cookie.max_age is not None and cookie.max_age <= 0)


def expect_no_cookie_change(response: Response) -> None:
    """SPEC §3.6: a 401 never sets or clears a cookie."""
    headers = response.headers.get_list("set-cookie")
    require(not headers, f"{where(response)}: expected no Set-Cookie, got {[h.split('=')[0] for h in headers]}")


def cookie_domain(env: Environment | None) -> str | None:
    """The Domain the env file declares for the session cookies (`cookie_domain`), or None: host-only (no env too)."""
    return getattr(env, "cookie_domain", None) or None


def _same_domain(attribute: str | None, wanted: str) -> bool:
    # RFC 6265 §5.2.3: a leading dot is ignored, and domains compare case-insensitively.
    return (attribute or "").lstrip(".").lower() == wanted.lstrip(".").lower()


def cookie_problems(
    cookie: SetCookie | None, name: str, *, clearing: bool = False, domain: str | None = None, flags: bool = True
) -> list[str]:
    """Differences from SPEC §3.3 (set) or its clearing rule (empty value, Max-Age=0, same Path and Domain; with
    `flags`, also the same HttpOnly/Secure/SameSite). `domain`: the env's `cookie_domain` (None = host-only)."""
    if cookie is None:
        return [f"{name}: no Set-Cookie"]
    policy = COOKIE_POLICY[name]
    problems = []
    if clearing:
        # `""` is the quoted form of the empty value (RFC 6265 cookie-value; Starlette writes it so).
        if cookie.value not in EMPTY_VALUES or cookie.max_age != 0:
            empty = cookie.value in EMPTY_VALUES
            problems.append(f"{name}: not cleared (empty value: {empty}, Max-Age={cookie.get('max-age')})")
    elif not cookie.value or cookie.get("max-age") != policy["max-age"]:
        problems.append(f"{name}: Max-Age={cookie.get('max-age')} (expected {policy['max-age']}) or empty value")
    if cookie.get("path") != policy["path"]:
        problems.append(f"{name}: Path={cookie.get('path')} (expected {policy['path']})")
    if flags:
        for flag in ("httponly", "secure"):
            if not cookie.has(flag):
                problems.append(f"{name}: missing {flag}")
        if (cookie.get("samesite") or "").lower() != policy["samesite"]:
            problems.append(f"{name}: SameSite={cookie.get('samesite')} (expected {policy['samesite'].title()})")
    if domain is None and cookie.has("domain"):
        problems.append(
            f"{name}: Domain={cookie.get('domain')} (expected host-only: the env declares no cookie_domain)"
        )
    elif domain is not None and not _same_domain(cookie.get("domain"), domain):
        problems.append(f"{name}: Domain={cookie.get('domain')} (expected the env's cookie_domain {domain})")
    return problems


def expect_cookies(
    evidence: Evidence,
    response: Response,
    names: Iterable[str],
    *,
    clearing: bool = False,
    env: Environment | None = None,
    owns_domain: bool = True,
) -> None:
    """The cookies `names` set (or cleared) per SPEC §3.3, with the env's `cookie_domain`. When clearing, the
    flags (HttpOnly, Secure, SameSite) are a [reference] detail: a browser deletes a cookie by name, Path and
    Domain, so elsewhere a flag difference is a note. `owns_domain=False`: a Domain where the env declares none is
    security.cookies.flags' finding, a note here (a clear with the cookies' own Domain still clears them)."""
    names = list(names)
    cookies = response.set_cookies
    domain = cookie_domain(env)
    strict_flags = not clearing or is_reference(env)
    found = [
        p
        for n in names
        for p in cookie_problems(cookies.get(n), n, clearing=clearing, domain=domain, flags=strict_flags)
    ]
    foreign = [p for p in found if domain is None and not owns_domain and ": Domain=" in p]
    problems = [p for p in found if p not in foreign]
    evidence.record(
        expected={"cookies": names, "clearing": clearing, "domain": domain or "host-only", "problems": []},
        actual={"problems": problems, "set_cookie_attributes": {n: c.attributes for n, c in cookies.items()}},
    )
    require(not problems, f"{where(response)}: cookie attributes differ from SPEC §3.3: {'; '.join(problems)}")
    for problem in foreign:
        evidence.note(f"{problem}: security.cookies.flags' concern")
    if not strict_flags:
        all_flags = [p for n in names for p in cookie_problems(cookies.get(n), n, clearing=clearing, domain=domain)]
        for problem in all_flags:
            if problem not in found:
                evidence.note(f"[reference] clearing with the set flags: {problem}")


def is_reference(env: Environment | None) -> bool:
    """Whether `[reference]` clauses apply (SPEC §10): only against our own reference backend's profile (no env:
    they do)."""
    return getattr(env, "profile", "reference") == "reference"


def reference_clause(evidence: Evidence, env: Environment | None, ok: bool, message: str) -> None:
    """A `[reference]` clause of SPEC §10: a failure under `profile: reference`, a note in the evidence elsewhere
    (the real deployment words or shapes it differently, and a correct implementation may too)."""
    if ok:
        return
    if is_reference(env):
        require(False, message)
    evidence.note(f"[reference] {message}")


def is_persisted(body: Any) -> bool:
    """Property of any implementation: the event was recorded for the signed-in user (extra keys allowed)."""
    return isinstance(body, dict) and body.get("status") == "persisted" and body.get("mode") == "authenticated"


def expect_persisted(evidence: Evidence, env: Environment | None, response: Any) -> None:
    """Property: the event was recorded for the signed-in user (`persisted`, `authenticated`); [reference] our
    store's `backend:"dynamodb"` (the real deployment answers `backend:"properties"` plus a contactId)."""
    body = response.json_or_none()
    evidence.record(
        expected={"status": 200, "body": {"status": "persisted", "mode": "authenticated"}},
        actual={"status": response.status, "body": body},
    )
    require(
        response.status == 200 and is_persisted(body),
        f"{where(response)}: expected 200 persisted/authenticated for the session, got {response.describe()}",
    )
    reference_clause(evidence, env, body == PERSISTED, f"{where(response)}: expected exactly {PERSISTED}, got {body}")


def find_course(progress: Mapping[str, Any], course: str) -> dict[str, Any] | None:
    """A course node in the §3.11 tree: standalone under `courses`, or nested under an enrolled pathway."""
    standalone = (progress.get("courses") or {}) if isinstance(progress.get("courses"), dict) else {}
    if course in standalone:
        return standalone[course]
    for key, pathway in progress.items():
        if key != "courses" and isinstance(pathway, dict) and course in (pathway.get("courses") or {}):
            return pathway["courses"][course]
    return None


def round_half_up_percent(done: int, total: int) -> int:
    return (200 * done + total) // (2 * total)


def linked_slugs(page_html: str, kind: str) -> list[str]:
    """Slugs linked as `/learn/<kind>/<slug>` in page order, without repeats (SPEC §8 catalog links)."""
    found = re.findall(rf"href=\"[^\"]*/learn/{kind}/([a-z0-9][a-z0-9-]*)[\"?#]", page_html)
    return list(dict.fromkeys(found))
