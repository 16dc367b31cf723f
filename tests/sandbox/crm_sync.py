"""Event→contact measurement on a running sandbox, shared by the end-to-end test and `benchmarks/crm_sync_latency.py`:
sign a fresh stand-in user in, send enrollments, time each until the HubSpot stand-in's contact lists the course."""

from __future__ import annotations

import time
import uuid

import httpx

from environments.models import SandboxState

SYNC_BOUND_S = 60.0  # SPEC §7: locally 100 % of events within 60 s


class NotReflected(AssertionError):
    """An event did not reach the contact within the bound."""


def enrolled(crm: httpx.Client, email: str) -> set[str]:
    contacts = crm.get("/__standin/contacts", params={"email": email}).json()
    contacts = contacts.get("results", contacts) if isinstance(contacts, dict) else contacts
    if not contacts:
        return set()
    value = contacts[0]["properties"].get("hhl_enrolled_courses") or ""
    return {slug for slug in value.split(";") if slug}


def wait_for_course(crm: httpx.Client, email: str, course: str, bound_s: float = SYNC_BOUND_S) -> float:
    """Seconds until the contact lists `course` (polled every 20 ms, bounded)."""
    started = time.monotonic()
    while course not in enrolled(crm, email):
        if time.monotonic() - started > bound_s:
            raise NotReflected(f"{course} did not reach the contact within {bound_s:.0f} s")
        time.sleep(0.02)  # polling the stand-in for a condition, with a bound
    return time.monotonic() - started


def measure_enrollments(state: SandboxState, events: int) -> tuple[list[float], set[str], set[str], dict]:
    """(latency per event, the courses sent, the contact's final set, the poller's ledger) for `events` enrollments of
    one fresh user, each sent once the previous one was reflected."""
    from checks.http import HttpClient
    from checks.login import sign_in

    created = httpx.post(f"{state.idp_url}/__standin/users", json={}, timeout=10)
    created.raise_for_status()
    user = created.json()
    run = uuid.uuid4().hex[:6]
    sent = [f"e2e-{run}-course-{i:02d}" for i in range(events)]  # stored like any slug; each adds one to the set
    latencies: list[float] = []
    with HttpClient(state.api_url) as http, httpx.Client(base_url=state.required("crm_url"), timeout=5) as crm:
        session = sign_in(http, api_base_url=state.api_url, username=user["username"], password=user["password"])
        for course in sent:
            answer = http.post(
                "/events/track",
                cookies=session.cookies,
                json={"eventName": "learning_course_enrolled", "course_slug": course},
            )
            if answer.status != 200 or answer.json()["status"] != "persisted":
                raise AssertionError(f"enrollment not persisted: {answer.text}")
            latencies.append(wait_for_course(crm, user["username"], course))
        final = enrolled(crm, user["username"])
        ledger = crm.get("/__standin/sync").json()
    return latencies, set(sent), final, ledger
