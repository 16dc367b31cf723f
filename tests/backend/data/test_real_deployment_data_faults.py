"""The data-side faults of sandbox/backend_faults/real_deployment.py exhibit their defects through the ASGI app:
`backend.quiz_always_passes` (SPEC §3.12 real deployment) and `backend.no_payload_cap` (a §3.9 regression)."""

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
from tests.backend.data.store_fixtures import API, LEARNER, Caller, item

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
