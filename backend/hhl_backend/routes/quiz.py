"""`POST /quiz/grade` (SPEC §3.12): grade against the packaged catalog; persist the attempt for a signed-in learner.

Correct answers and per-question results never leave this module.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hhl_backend.blocking import run_blocking
from hhl_backend.content import Question, Quiz
from hhl_backend.errors import error_response, json_response
from hhl_backend.logs import log_event
from hhl_backend.routes.validation import Checker, Invalid, read_json_object, schema_error
from hhl_backend.store import StoreError, round_half_up_percent

SCHEMA_MESSAGE = "Invalid quiz payload"
MAX_ANSWERS = 100
MAX_ANSWER_ID = 100


def is_correct(question: Question, value: Any) -> bool:
    """Exact equality with the correct answer; `multi` compares as sets of strings."""
    if question.type == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return False
        return set(value) == set(question.correct_answer)
    return isinstance(value, str) and value == question.correct_answer


def grade(quiz: Quiz, answers: dict[str, Any]) -> tuple[int, bool]:
    """(score 0–100 rounded half up, pass); missing answers earn nothing, unknown ids are ignored."""
    earned = sum(q.points for q in quiz.questions if q.id in answers and is_correct(q, answers[q.id]))
    score = round_half_up_percent(earned, quiz.total_points)
    return score, score >= quiz.passing_score


def parse_answers(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    check = Checker()
    module = check.slug(body.get("module_slug"), "module_slug", required=True)
    raw_answers = body.get("answers")
    answers: dict[str, Any] = {}
    if not isinstance(raw_answers, list):
        check.fail("answers", "required: a list of {id, value}")
    elif len(raw_answers) > MAX_ANSWERS:
        check.fail("answers", f"at most {MAX_ANSWERS} answers")
    else:
        for i, answer in enumerate(raw_answers):
            path = f"answers.{i}"
            if not isinstance(answer, dict) or "value" not in answer:
                check.fail(path, "must be an object with id and value")
                continue
            answer_id = check.text(
                answer.get("id"), f"{path}.id", min_length=1, max_length=MAX_ANSWER_ID, required=True
            )
            if answer_id is None:
                continue
            if answer_id in answers:
                check.fail(f"{path}.id", "duplicate answer id")
            else:
                answers[answer_id] = answer["value"]
    if check.details:
        raise schema_error(SCHEMA_MESSAGE, check.details)
    return str(module), answers


def _persist(request: Request, module: str, score: int, passed: bool) -> bool:
    identity = request.app.state.seams.identity_resolver(request)
    if identity is None:
        return False
    try:
        request.app.state.store.record_quiz_attempt(identity.sub, module, score, passed)
    except StoreError as exc:
        # The grade is still valid; the learner just sees persisted:false and may retry.
        log_event("quiz_persist_failed", level=logging.ERROR, reason=str(exc))
        return False
    return True


def grade_and_record(request: Request, quiz: Quiz, answers: dict[str, Any]) -> dict[str, Any]:
    """The default `seams.quiz_grading` (blocking: run in the threadpool): grade, persist when signed in."""
    score, passed = grade(quiz, answers)
    persisted = _persist(request, quiz.module_slug, score, passed)
    return {"score": score, "pass": passed, "passing_score": quiz.passing_score, "persisted": persisted}


async def grade_quiz(request: Request) -> Response:
    try:
        module, answers = parse_answers(await read_json_object(request, SCHEMA_MESSAGE))
    except Invalid as invalid:
        return invalid.response(request)
    quiz = request.app.state.catalog.quizzes.get(module)
    if quiz is None:
        return error_response("Quiz not found", 404, code="QUIZ_NOT_FOUND", no_store=True)
    body = await run_blocking(request, request.app.state.seams.quiz_grading, request, quiz, answers)
    return json_response(body, no_store=True)
