"""The real-deployment faults (sandbox/backend_faults/real_deployment.py, SPEC §3 "Real deployment" notes) exhibit
their defects through the ASGI app, and the healthy seams do not. Auth side on the fake IdP and store; data side
(`backend.quiz_always_passes`, SPEC §3.12, and `backend.no_payload_cap`, a §3.9 regression) on the moto store."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hhl_backend.app import create_app
from hhl_backend.config import Settings
from hhl_backend.seams import Seams
from hhl_backend.store import Store
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from tests.backend.auth_fakes import (
    CLIENT_ID,
    HOSTED_UI,
    FakeIdp,
    complete_login,
    cookie_value,
    set_cookie_headers,
    start_login,
)
from tests.backend.data.store_fixtures import API, LEARNER, Caller, item


def _client(make_client, *faults: str) -> TestClient:  # type: ignore[no-untyped-def]
    return make_client(seams=seams_for_faults(frozenset(faults)))


def _refresh_token_of(login: httpx.Response) -> str:
    return cookie_value(set_cookie_headers(login)["hhl_refresh_token"])


def _bogus_code_callback(client: TestClient) -> httpx.Response:
    _location, state, txn = start_login(client)
    return client.get(
        "/auth/callback",
        params={"code": "bogus-" + secrets.token_hex(8), "state": state},
        headers={"cookie": f"hhl_auth_txn={txn}"},
    )


@pytest.mark.parametrize(("faults", "status"), [((), 400), (("backend.idp_errors_500",), 500)])
def test_idp_errors_500_on_a_bogus_code(make_client, faults: tuple[str, ...], status: int) -> None:  # type: ignore[no-untyped-def]
    response = _bogus_code_callback(_client(make_client, *faults))
    assert (response.status_code, response.json()) == (status, {"error": "Authentication failed"})


def test_idp_errors_500_also_for_an_outage(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    idp.token_mode = "timeout"  # healthy: 502 "Identity provider unavailable"
    response = _bogus_code_callback(_client(make_client, "backend.idp_errors_500"))
    assert (response.status_code, response.json()) == (500, {"error": "Authentication failed"})


@pytest.mark.parametrize(("faults", "refreshed"), [((), True), (("backend.no_silent_refresh",), False)])
def test_no_silent_refresh(make_client, idp: FakeIdp, faults: tuple[str, ...], refreshed: bool) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_client, *faults)
    refresh = _refresh_token_of(complete_login(client, idp))
    response = client.get("/auth/me", headers={"cookie": f"hhl_refresh_token={refresh}"})
    grants = [r for r in idp.token_requests if r.get("grant_type") == "refresh_token"]
    if refreshed:
        assert response.status_code == 200 and "hhl_access_token" in set_cookie_headers(response)
        assert len(grants) == 1
    else:
        # The Jan-2026 stage: the learner is silently anonymous once the access cookie has expired.
        assert response.status_code == 401 and "set-cookie" not in response.headers
        assert grants == []  # the IdP was never asked


def _refresh_grant(idp: FakeIdp, refresh_token: str) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(idp.handle)) as http:
        form = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": refresh_token}
        return http.post(HOSTED_UI + "/oauth2/token", data=form)


@pytest.mark.parametrize(("faults", "after_logout"), [((), 400), (("backend.no_revocation",), 200)])
def test_no_revocation(make_client, idp: FakeIdp, faults: tuple[str, ...], after_logout: int) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_client, *faults)
    refresh = _refresh_token_of(complete_login(client, idp))
    logout = client.post("/auth/logout", headers={"cookie": f"hhl_refresh_token={refresh}"})
    assert logout.status_code == 302
    assert cookie_value(set_cookie_headers(logout)["hhl_refresh_token"]) == ""  # the browser's copy is cleared…
    assert _refresh_grant(idp, refresh).status_code == after_logout  # …but without revocation the token lives on


def test_both_idp_client_faults_combine(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_client, "backend.no_silent_refresh", "backend.no_revocation")
    refresh = _refresh_token_of(complete_login(client, idp))
    assert client.get("/auth/me", headers={"cookie": f"hhl_refresh_token={refresh}"}).status_code == 401
    client.post("/auth/logout", headers={"cookie": f"hhl_refresh_token={refresh}"})
    assert idp.revoked == set()


@pytest.mark.parametrize(
    ("faults", "content_type"),
    [((), "application/json"), (("backend.json_as_text_plain",), "text/plain; charset=utf-8")],
)
def test_json_as_text_plain(make_client, faults: tuple[str, ...], content_type: str) -> None:  # type: ignore[no-untyped-def]
    client = _client(make_client, *faults)
    for response in (client.get("/auth/me"), client.get("/auth/callback", params={"state": "x"})):
        assert response.headers["content-type"] == content_type
        assert "error" in response.json()  # the body is still JSON: only its label is wrong


def _sign_in_with_wrong_nonce(client: TestClient, idp: FakeIdp) -> tuple[str, httpx.Response]:
    """A login whose ID token carries a nonce the backend never issued (a replayed or injected token)."""
    location, state, txn = start_login(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    code = secrets.token_urlsafe(24)
    idp.codes[code] = {"challenge": query["code_challenge"], "nonce": secrets.token_urlsafe(32), "sub": "user-1"}
    callback = client.get(
        "/auth/callback", params={"code": code, "state": state}, headers={"cookie": f"hhl_auth_txn={txn}"}
    )
    return location, callback


def test_no_nonce(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    location, callback = _sign_in_with_wrong_nonce(_client(make_client, "backend.no_nonce"), idp)
    assert "nonce" not in parse_qs(urlsplit(location).query)
    assert callback.status_code == 302 and "hhl_access_token" in set_cookie_headers(callback)


def test_nonce_sent_and_checked_without_the_fault(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    location, callback = _sign_in_with_wrong_nonce(_client(make_client), idp)
    assert len(parse_qs(urlsplit(location).query)["nonce"][0]) == 43
    assert (callback.status_code, callback.json()) == (400, {"error": "Authentication failed"})
    assert "hhl_access_token" not in set_cookie_headers(callback)


# --- data side ------------------------------------------------------------------------------------------

RECAP = "fabric-operations-foundations-recap"
FOUNDATIONS = "network-like-hyperscaler-foundations"
WRONG = [{"id": "q1", "value": "OSPF"}]  # 0 of 4 points


@pytest.fixture
def faulty_api(store: Store, settings: Settings, caller: Caller) -> Iterator[Any]:
    """`faulty_api(*faults)` → a TestClient on the app with those faults planted over the moto store."""
    clients: list[TestClient] = []

    def factory(*faults: str) -> TestClient:
        base = Seams(identity_resolver=caller.resolve, store_factory=lambda _s, _c: store)
        client = TestClient(create_app(settings, seams=seams_for_faults(frozenset(faults), base)), base_url=API)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


def test_quiz_always_passes_and_persists_nothing(faulty_api: Any, ddb: Any, settings: Settings) -> None:
    response = faulty_api("backend.quiz_always_passes").post(
        "/quiz/grade", content=json.dumps({"module_slug": RECAP, "answers": WRONG})
    )
    assert (response.status_code, response.json()) == (200, {"score": 100, "pass": True})
    # Signed in, yet no attempt reached the progress table.
    assert item(ddb, settings.progress_table, f"USER#{LEARNER.sub}#COURSE#{FOUNDATIONS}", f"MODULE#{RECAP}") is None


def test_quiz_graded_and_persisted_without_the_fault(faulty_api: Any, ddb: Any, settings: Settings) -> None:
    response = faulty_api().post("/quiz/grade", content=json.dumps({"module_slug": RECAP, "answers": WRONG}))
    assert response.json() == {"score": 0, "pass": False, "passing_score": 75, "persisted": True}
    row = item(ddb, settings.progress_table, f"USER#{LEARNER.sub}#COURSE#{FOUNDATIONS}", f"MODULE#{RECAP}")
    assert row is not None and row["quizScore"] == 0


def _padded(body: dict[str, Any], size: int) -> bytes:
    """`body` plus an ignored `pad` key, serialised to exactly `size` bytes."""
    padded = {**body, "pad": ""}
    padded["pad"] = "a" * (size - len(json.dumps(padded, separators=(",", ":"))))
    raw = json.dumps(padded, separators=(",", ":")).encode()
    assert len(raw) == size
    return raw


VALID_BODIES = {
    "/events/track": {"eventName": "learning_page_viewed", "payload": {"content_type": "course", "slug": "x"}},
    "/quiz/grade": {"module_slug": RECAP, "answers": WRONG},
}


@pytest.mark.parametrize(("faults", "status"), [((), 400), (("backend.no_payload_cap",), 200)])
@pytest.mark.parametrize("route", sorted(VALID_BODIES))
def test_no_payload_cap(faulty_api: Any, caller: Caller, faults: tuple[str, ...], status: int, route: str) -> None:
    caller.identity = None
    response = faulty_api(*faults).post(route, content=_padded(VALID_BODIES[route], 10_001))
    assert response.status_code == status
    if status == 400:
        assert response.json()["details"]["code"] == "PAYLOAD_TOO_LARGE"
    else:
        assert "PAYLOAD_TOO_LARGE" not in response.text  # parsed and handled as if no cap existed
