"""The whole sandbox, once: a signed-in enrollment through the API reaches the HubSpot stand-in's contact.

API → DynamoDB (moto) → stream → poller → the backend's CRM consumer → stand-in. Event→property latency is measured
for 20 enrollments (SPEC §7 / issue 11 target on the sandbox: p95 < 3 s, the poller's interval included) and
printed; the bound asserted per event is SPEC §7's local criterion (every event within 60 s).
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.sandbox import sandbox_process

pytestmark = pytest.mark.integration

SYNC_BOUND_S = 60.0  # SPEC §7: locally 100 % of events within 60 s
EVENTS = 20


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory):
    proc = sandbox_process.start(tmp_path_factory.mktemp("crm") / "state.json")
    yield proc
    proc.stop()


def _enrolled(crm: httpx.Client, email: str) -> set[str]:
    contacts = crm.get("/__standin/contacts", params={"email": email}).json()
    contacts = contacts.get("results", contacts) if isinstance(contacts, dict) else contacts
    if not contacts:
        return set()
    value = contacts[0]["properties"].get("hhl_enrolled_courses") or ""
    return {slug for slug in value.split(";") if slug}


def _wait_for_course(crm: httpx.Client, email: str, course: str) -> float:
    """Seconds until the contact lists `course` (polled every 20 ms, bounded)."""
    started = time.monotonic()
    while course not in _enrolled(crm, email):
        if time.monotonic() - started > SYNC_BOUND_S:
            pytest.fail(f"{course} did not reach the contact within {SYNC_BOUND_S:.0f} s")
        time.sleep(0.02)  # polling the stand-in for a condition, with a bound
    return time.monotonic() - started


def test_state_names_the_stand_in_and_its_token(running: sandbox_process.SandboxProcess) -> None:
    state = running.state()
    assert state["crm_url"].startswith("http://127.0.0.1:") and len(state["crm_token"]) >= 32
    with httpx.Client(base_url=state["crm_url"], timeout=5) as crm:
        assert crm.get("/crm/v3/objects/contacts/1").status_code == 401  # no token, no answer
        authed = crm.get("/crm/v3/properties/contacts/hhl_enrolled_courses", headers=_auth(state))
        assert authed.status_code == 200
        ledger = crm.get("/__standin/sync").json()
    assert {m["state"] for m in ledger["mappings"]} == {"Enabled"} and len(ledger["mappings"]) == 4


def _auth(state: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {state['crm_token']}"}


def test_signed_in_enrollments_reach_the_contact(running: sandbox_process.SandboxProcess, capsys) -> None:
    from checks.http import HttpClient
    from checks.login import sign_in

    state = running.state()
    created = httpx.post(f"{state['idp_url']}/__standin/users", json={}, timeout=10)
    assert created.status_code == 201
    user = created.json()
    run = uuid.uuid4().hex[:6]
    latencies: list[float] = []
    with HttpClient(state["api_url"]) as http, httpx.Client(base_url=state["crm_url"], timeout=5) as crm:
        session = sign_in(http, api_base_url=state["api_url"], username=user["username"], password=user["password"])
        for i in range(EVENTS):
            course = f"e2e-{run}-course-{i:02d}"  # stored like any slug; each event adds one to the contact's set
            answer = http.post(
                "/events/track",
                cookies=session.cookies,
                json={"eventName": "learning_course_enrolled", "course_slug": course},
            )
            assert answer.status == 200 and answer.json()["status"] == "persisted", answer.text
            latencies.append(_wait_for_course(crm, user["username"], course))
        final = _enrolled(crm, user["username"])
        ledger = crm.get("/__standin/sync").json()
    assert {f"e2e-{run}-course-{i:02d}" for i in range(EVENTS)} <= final  # the set never shrank on the way
    assert ledger["invocations"] >= 1 and ledger["dlq_sends"] == 0
    p95 = statistics.quantiles(latencies, n=20)[-1]
    with capsys.disabled():
        print(
            f"\nevent→property latency over {EVENTS} enrollments: p50 {statistics.median(latencies):.2f} s, "
            f"p95 {p95:.2f} s, max {max(latencies):.2f} s (poller interval 0.5 s)"
        )


def test_a_disabled_mapping_syncs_nothing(tmp_path: Path) -> None:
    """provision.crm_mapping_disabled: the sandbox starts, its ledger shows every mapping Disabled, no invocation."""
    proc = sandbox_process.start(tmp_path / "state.json", ["provision.crm_mapping_disabled"])
    try:
        state = proc.state()
        ledger = httpx.get(f"{state['crm_url']}/__standin/sync", timeout=5).json()
    finally:
        proc.stop()
    assert {m["state"] for m in ledger["mappings"]} == {"Disabled"} and ledger["invocations"] == 0
