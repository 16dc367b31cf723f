"""`POST /quiz/grade` (SPEC §3.12): grading from the packaged catalog, validation, persistence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hhl_backend.config import Settings
from starlette.testclient import TestClient

from tests.backend.data.store_fixtures import LEARNER, Caller, item

RECAP = "fabric-operations-foundations-recap"
FOUNDATIONS = "network-like-hyperscaler-foundations"
ALL_RIGHT = [
    {"id": "q1", "value": "BGP"},
    {"id": "q2", "value": ["Connection", "VPCAttachment"]},  # multi: order does not matter
    {"id": "q3", "value": "kubectl fabric"},
]


def grade(api: TestClient, body: Any) -> Any:
    return api.post("/quiz/grade", content=json.dumps(body))


@pytest.mark.parametrize(
    ("answers", "score", "passed"),
    [
        (ALL_RIGHT, 100, True),
        ([ALL_RIGHT[0], ALL_RIGHT[2]], 75, True),  # 3/4 points
        ([ALL_RIGHT[2]], 50, False),  # 2/4
        ([ALL_RIGHT[0], ALL_RIGHT[1]], 50, False),
        ([], 0, False),
        ([{"id": "q1", "value": "bgp"}, ALL_RIGHT[2]], 50, False),  # exact equality, case-sensitive
        ([{"id": "q2", "value": ["VPCAttachment"]}, ALL_RIGHT[2]], 50, False),  # a subset is wrong
        ([{"id": "q2", "value": "VPCAttachment"}, ALL_RIGHT[2]], 50, False),  # a string for a multi is wrong
        ([{"id": "q3", "value": ["kubectl fabric"]}, ALL_RIGHT[0]], 25, False),
        ([*ALL_RIGHT, {"id": "zz", "value": 1}], 100, True),  # unknown ids ignored
    ],
)
def test_grading(api: TestClient, caller: Caller, answers: list[Any], score: int, passed: bool) -> None:
    caller.identity = None
    response = grade(api, {"module_slug": RECAP, "answers": answers})
    assert response.status_code == 200
    assert response.json() == {"score": score, "pass": passed, "passing_score": 75, "persisted": False}


def test_passing_score_100_quiz(api: TestClient) -> None:
    one_right = [{"id": "q1", "value": "In its URL"}, {"id": "q2", "value": "-"}]
    body = grade(api, {"module_slug": "authoring-basics", "answers": one_right}).json()
    assert (body["score"], body["pass"], body["passing_score"]) == (50, False, 100)


def test_never_returns_answers(api: TestClient) -> None:
    text = grade(api, {"module_slug": RECAP, "answers": []}).text
    for secret in ("BGP", "VPCAttachment", "kubectl fabric", "correct"):
        assert secret not in text


def test_signed_in_attempts_persist(api: TestClient, ddb: Any, settings: Settings) -> None:
    assert grade(api, {"module_slug": RECAP, "answers": ALL_RIGHT[2:]}).json()["persisted"] is True
    assert grade(api, {"module_slug": RECAP, "answers": ALL_RIGHT}).json()["persisted"] is True
    row = item(ddb, settings.progress_table, f"USER#{LEARNER.sub}#COURSE#{FOUNDATIONS}", f"MODULE#{RECAP}")
    assert row is not None
    assert row["quizScore"] == 100 and row["quizAttempts"] == 2
    assert row["quizPassedAt"] == row["quizLastAttemptAt"]
    assert row["completed"] is False  # a quiz never completes a module


def test_persistence_failure_still_grades(api: TestClient, ddb: Any, settings: Settings) -> None:
    ddb.update_table(TableName=settings.progress_table, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=settings.progress_table)
    body = grade(api, {"module_slug": RECAP, "answers": ALL_RIGHT}).json()
    assert body == {"score": 100, "pass": True, "passing_score": 75, "persisted": False}


def test_quiz_not_found(api: TestClient) -> None:
    response = grade(api, {"module_slug": "fabric-operations-welcome", "answers": []})
    assert response.status_code == 404
    assert response.json() == {"error": "Quiz not found", "details": {"code": "QUIZ_NOT_FOUND"}}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"answers": []}, "module_slug"),
        ({"module_slug": "Bad Slug", "answers": []}, "module_slug"),
        ({"module_slug": RECAP}, "answers"),
        ({"module_slug": RECAP, "answers": {"q1": "BGP"}}, "answers"),
        ({"module_slug": RECAP, "answers": [{"id": str(i), "value": 1} for i in range(101)]}, "answers"),
        ({"module_slug": RECAP, "answers": [{"id": "q1", "value": 1}, {"id": "q1", "value": 2}]}, "answers.1.id"),
        ({"module_slug": RECAP, "answers": [{"id": "", "value": 1}]}, "answers.0.id"),
        ({"module_slug": RECAP, "answers": [{"id": "x" * 101, "value": 1}]}, "answers.0.id"),
        ({"module_slug": RECAP, "answers": [{"value": 1}]}, "answers.0.id"),
        ({"module_slug": RECAP, "answers": [{"id": "q1"}]}, "answers.0"),
        ({"module_slug": RECAP, "answers": ["q1"]}, "answers.0"),
    ],
)
def test_validation(api: TestClient, body: Any, path: str) -> None:
    response = grade(api, body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "Invalid quiz payload"
    assert payload["details"]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert any(d.startswith(f"{path}: ") for d in payload["details"]["details"]), payload


def test_hundred_answers_and_size_cap(api: TestClient) -> None:
    hundred = {"module_slug": RECAP, "answers": [{"id": f"a{i}", "value": 1} for i in range(100)]}
    assert grade(api, hundred).status_code == 200
    too_big = api.post("/quiz/grade", content=b" " * 10_001)
    assert too_big.status_code == 400 and too_big.json()["details"]["code"] == "PAYLOAD_TOO_LARGE"
    assert api.post("/quiz/grade", content=b"{nope").json()["details"]["code"] == "INVALID_JSON"
