"""`POST /quiz/grade` (SPEC §3.12): exact scores on the sandbox quiz, nothing echoed, validation errors."""

from __future__ import annotations

from typing import Any

import pytest

from checks.evidence import Evidence
from checks.http import HttpClient
from checks.login import SignedInSession
from environments import Environment
from suites.api.helpers import ACCESS_COOKIE, expect_error_code, expect_json, reference_clause

# The sandbox quiz (SPEC §5): q1 single (1 point), q2 multi (1), q3 text (2); passing score 75.
QUIZ_MODULE = "fabric-operations-foundations-recap"
THREE_OF_FOUR = [{"id": "q2", "value": ["Connection", "VPCAttachment"]}, {"id": "q3", "value": "kubectl fabric"}]
QUIZ_NOT_FOUND = {"error": "Quiz not found", "details": {"code": "QUIZ_NOT_FOUND"}}
TWO_OF_FOUR = [
    {"id": "q1", "value": "BGP"},
    {"id": "q2", "value": ["VPCAttachment", "Connection"]},
    {"id": "q3", "value": "kubectl"},
    {"id": "q99", "value": "ignored"},
]


@pytest.mark.check("api.quiz.grading")
def test_quiz_grading(api: HttpClient, signed_in: SignedInSession, evidence: Evidence) -> None:
    cookies = {ACCESS_COOKIE: signed_in.access_token}
    passed = api.post("/quiz/grade", json={"module_slug": QUIZ_MODULE, "answers": THREE_OF_FOUR}, cookies=cookies)
    # Exact bodies: any extra key (correct answers, per-question results) is a finding.
    expect_json(evidence, passed, 200, {"score": 75, "pass": True, "passing_score": 75, "persisted": True})
    failed = api.post("/quiz/grade", json={"module_slug": QUIZ_MODULE, "answers": TWO_OF_FOUR}, cookies=cookies)
    expect_json(evidence, failed, 200, {"score": 50, "pass": False, "passing_score": 75, "persisted": True})


@pytest.mark.check("api.quiz.validation")
def test_quiz_validation(api: HttpClient, env: Environment, evidence: Evidence) -> None:
    too_many = [{"id": f"q{i}", "value": "x"} for i in range(101)]
    bodies: list[dict[str, Any]] = [
        {"answers": []},
        {"module_slug": QUIZ_MODULE},
        {"module_slug": QUIZ_MODULE, "answers": too_many},
    ]
    for body in bodies:
        expect_error_code(evidence, api.post("/quiz/grade", json=body), 400, "SCHEMA_VALIDATION_FAILED")
    # [reference] QUIZ_NOT_FOUND is ours (SPEC §3.9); the real deployment grades any module 100/pass, which is
    # api.quiz.grading's finding, not a validation defect.
    no_quiz = api.post("/quiz/grade", json={"module_slug": env.content.module, "answers": []})
    reference_clause(
        evidence,
        env,
        no_quiz.status == 404 and no_quiz.json_or_none() == QUIZ_NOT_FOUND,
        f"a module without a quiz: expected 404 {QUIZ_NOT_FOUND}, got {no_quiz.describe()}",
    )
