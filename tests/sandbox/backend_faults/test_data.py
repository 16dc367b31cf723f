"""The data faults exhibit their defects (SPEC §10): `backend.email_identity` serves and writes by asserted email."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hhl_backend.app import create_app
from hhl_backend.config import Settings
from hhl_backend.seams import Seams
from hhl_backend.store import Store
from starlette.testclient import TestClient

from sandbox.backend_faults import seams_for_faults
from sandbox.backend_faults.data import ReadModifyWriteStore
from tests.backend.data.store_fixtures import API, LEARNER, Caller

FOUNDATIONS = "network-like-hyperscaler-foundations"
ENROLL = {"eventName": "learning_course_enrolled", "course_slug": FOUNDATIONS}


@pytest.fixture
def faulty_api(store: Store, settings: Settings, caller: Caller) -> Iterator[TestClient]:
    """The app with backend.email_identity planted over an anonymous caller."""
    caller.identity = None
    base = Seams(identity_resolver=caller.resolve, store_factory=lambda _s, _c: store)
    seams = seams_for_faults(frozenset({"backend.email_identity"}), base)
    with TestClient(create_app(settings, seams=seams), base_url=API) as c:
        yield c


@pytest.fixture
def victim(store: Store) -> str:
    store.upsert_user_profile(LEARNER.sub, {"email": "Ada@Example.test"})
    store.enroll_course(LEARNER.sub, FOUNDATIONS, pathway_slug=None, source="cta")
    return "ada@example.test"


def test_email_identity_reads_anyones_progress(faulty_api: TestClient, victim: str) -> None:
    body = faulty_api.get("/progress/read", params={"email": victim}).json()
    assert body["mode"] == "authenticated"
    assert FOUNDATIONS in body["progress"]["courses"]
    listing = faulty_api.get("/enrollments/list", params={"email": victim})
    assert listing.status_code == 200
    assert [c["slug"] for c in listing.json()["enrollments"]["courses"]] == [FOUNDATIONS]


def test_email_identity_writes_for_anyone(faulty_api: TestClient, victim: str, store: Store) -> None:
    event = {"eventName": "learning_pathway_enrolled", "pathway_slug": "getting-started"}
    response = faulty_api.post("/events/track", content=json.dumps({**event, "contactIdentifier": {"email": victim}}))
    assert response.json()["mode"] == "authenticated"
    assert any(e.get("pathwaySlug") == "getting-started" for e in store.list_enrollments(LEARNER.sub))


def test_unknown_email_stays_anonymous(faulty_api: TestClient, victim: str) -> None:
    assert faulty_api.get("/progress/read", params={"email": "nobody@example.test"}).json() == {"mode": "anonymous"}


def test_correct_seams_ignore_the_email(api: TestClient, caller: Caller, victim: str) -> None:
    caller.identity = None
    assert api.get("/progress/read", params={"email": victim}).json() == {"mode": "anonymous"}


def test_only_the_named_faults_are_planted(settings: Settings, store: Store) -> None:
    base = Seams()
    assert seams_for_faults(frozenset({"site.api_proxy_off"}), base) is base
    planted = seams_for_faults(frozenset({"backend.read_modify_write"}), base)
    assert planted.identity_resolver is base.identity_resolver
    built: Any = planted.store_factory(settings, store.catalog)
    assert isinstance(built, ReadModifyWriteStore)
