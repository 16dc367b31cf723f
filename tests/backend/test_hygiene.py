"""Key rotation, log and cache hygiene of the backend (SPEC §3.1, §3.5) and the sandbox faults that break each:
`backend.jwks_no_refetch`, `backend.logs_secrets`, `backend.auth_no_store_missing` (backend_faults/hygiene.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import jwt
import pytest
from hhl_backend.auth.tokens import (
    MIN_REFETCH_GAP_S,
    UNKNOWN_KID_REFETCH_INTERVAL_S,
    InvalidToken,
    JwksCache,
)
from hhl_backend.logs import LOGGER_NAME, JsonLineFormatter
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from tests.backend.auth_fakes import ISSUER, FakeIdp, complete_login, set_cookie_headers, signing_key, start_login


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


@pytest.fixture
def cache(idp: FakeIdp, clock: _Clock) -> Iterator[JwksCache]:
    with httpx.Client(transport=httpx.MockTransport(idp.handle)) as http:
        yield JwksCache(ISSUER + "/.well-known/jwks.json", http, timeout_s=2.0, clock=clock)


def _rotate(idp: FakeIdp, index: int) -> None:
    idp.key, idp.kid = signing_key(index), f"kid-{index}"


# --- JWKS refetch (SPEC §3.5) ------------------------------------------------------------------------------------


def test_a_forged_kid_seconds_before_a_rotation_does_not_lock_the_new_key_out(
    cache: JwksCache, idp: FakeIdp, clock: _Clock
) -> None:
    cache.key_for("kid-1")
    with pytest.raises(InvalidToken):
        cache.key_for("forged-kid")  # an attacker's (or a negative test's) unknown kid: one refetch
    clock.now += 2 * MIN_REFETCH_GAP_S
    _rotate(idp, 2)
    assert cache.key_for("kid-2").key_id == "kid-2"  # well inside the old "one refetch per 60 s"
    assert idp.jwks_fetches == 3


def test_a_kid_that_stayed_unknown_is_not_refetched_for_60_s(cache: JwksCache, idp: FakeIdp, clock: _Clock) -> None:
    cache.key_for("kid-1")
    for _ in range(3):
        with pytest.raises(InvalidToken):
            cache.key_for("forged-kid")
        clock.now += 10
    assert idp.jwks_fetches == 2
    clock.now += UNKNOWN_KID_REFETCH_INTERVAL_S
    with pytest.raises(InvalidToken):
        cache.key_for("forged-kid")
    assert idp.jwks_fetches == 3


def test_distinct_forged_kids_refetch_at_most_once_per_gap(cache: JwksCache, idp: FakeIdp, clock: _Clock) -> None:
    cache.key_for("kid-1")
    for n in range(20):
        with pytest.raises(InvalidToken):
            cache.key_for(f"forged-{n}")
    assert idp.jwks_fetches == 2  # the flood costs the IdP one request per gap
    # Refused within the gap without a refetch, so not remembered as unknown: usable once the gap is over.
    _rotate(idp, 2)
    with pytest.raises(InvalidToken):
        cache.key_for("kid-2")
    clock.now += MIN_REFETCH_GAP_S
    assert cache.key_for("kid-2").key_id == "kid-2"


def test_a_kid_missing_from_a_fresh_fetch_is_not_fetched_twice(cache: JwksCache, idp: FakeIdp) -> None:
    with pytest.raises(InvalidToken):
        cache.key_for("forged-kid")
    assert idp.jwks_fetches == 1


def _rotated_login(client: TestClient, idp: FakeIdp) -> tuple[httpx.Response, httpx.Response | None]:
    assert client.get("/auth/me", headers={"authorization": f"Bearer {idp.access_token()}"}).status_code in (200, 404)
    _rotate(idp, 3)
    callback = complete_login(client, idp)
    cookie = set_cookie_headers(callback).get("hhl_access_token")
    if callback.status_code != 302 or cookie is None:
        return callback, None
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    assert jwt.get_unverified_header(token)["kid"] == "kid-3"
    return callback, client.get("/auth/me", headers={"cookie": f"hhl_access_token={token}"})


def test_login_after_a_key_rotation(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    callback, me = _rotated_login(make_client(), idp)
    assert callback.status_code == 302
    assert me is not None and me.status_code == 200


def test_jwks_no_refetch_fault_fails_every_login_after_a_rotation(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = make_client(seams=seams_for_faults(frozenset({"backend.jwks_no_refetch"})))
    callback, me = _rotated_login(client, idp)
    assert (callback.status_code, callback.json()) == (400, {"error": "Authentication failed"})
    assert me is None
    assert idp.jwks_fetches == 1


# --- logs (SPEC §3.1) --------------------------------------------------------------------------------------------


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLineFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    handler = _Lines()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def _login_secrets(client: TestClient, idp: FakeIdp) -> tuple[str, str]:
    """(state, email) of one complete login."""
    location, state, txn = start_login(client)
    code = idp.issue_code(location)
    callback = client.get(
        "/auth/callback", params={"code": code, "state": state}, headers={"cookie": f"hhl_auth_txn={txn}"}
    )
    assert callback.status_code == 302
    return state, "learner@example.test"


@pytest.mark.parametrize(("faults", "leaks"), [((), False), (("backend.logs_secrets",), True)])
def test_login_log_lines(make_client, idp: FakeIdp, log_lines: list[str], faults: tuple[str, ...], leaks: bool) -> None:  # type: ignore[no-untyped-def]
    client = make_client(seams=seams_for_faults(frozenset(faults)))
    state, email = _login_secrets(client, idp)
    text = "\n".join(log_lines)
    assert '"event":"login_started"' in text and '"event":"login_succeeded"' in text
    assert (state in text, email in text.lower()) == (leaks, leaks)


# --- Cache-Control (SPEC §3.1) -----------------------------------------------------------------------------------


def _auth_responses(client: TestClient, idp: FakeIdp) -> dict[str, httpx.Response]:
    login = client.get("/auth/login")
    callback = complete_login(client, idp)
    token = set_cookie_headers(callback)["hhl_access_token"].split(";", 1)[0].split("=", 1)[1]
    return {
        "login": login,
        "callback": callback,
        "callback error": client.get("/auth/callback", params={"error": "access_denied"}),
        "logout": client.get("/auth/logout"),
        "logout POST": client.post("/auth/logout"),
        "me": client.get("/auth/me", headers={"cookie": f"hhl_access_token={token}"}),
    }


def test_every_auth_response_is_no_store(client: TestClient, idp: FakeIdp) -> None:
    responses = _auth_responses(client, idp)
    assert {name: r.headers.get("cache-control") for name, r in responses.items()} == {
        "login": "no-store",
        "callback": "no-store",
        "callback error": "no-store",
        "logout": "no-store",
        "logout POST": "no-store",
        "me": "no-store, private",
    }


def test_auth_no_store_missing_fault(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = make_client(seams=seams_for_faults(frozenset({"backend.auth_no_store_missing"})))
    responses = _auth_responses(client, idp)
    assert {name: r.headers.get("cache-control") for name, r in responses.items()} == {
        "login": None,
        "callback": None,
        "callback error": None,
        "logout": None,
        "logout POST": None,
        "me": "no-store, private",  # /auth/me kept it in the real deployment (api.me.profile's concern)
    }
    assert client.get("/progress/read").headers.get("cache-control") == "no-store"
