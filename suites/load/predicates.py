"""The acceptance predicates of the load checks, by name: the engine (a child process) judges every answer in its
task code with the predicate the check names, so no function crosses the process boundary. A predicate says
whether an answer is exactly the one expected (positive identity: status and body, not just "not an error");
`failure_kind` then files every other answer under one of four kinds, which Locust counts as its failures.

>>> PREDICATES["persisted"](Answer("page_viewed", 200, {"status": "persisted", "mode": "authenticated"}))
True
>>> failure_kind(Answer("me", 503, None), accepted=False)
'5xx'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from suites.api import helpers

__all__ = ["KINDS", "PREDICATES", "THROTTLED", "Answer", "failure_kind", "predicate"]

# SPEC §3.2: the gateway's answer when the stage throttles.
THROTTLED = {"message": "Too Many Requests"}

NO_ANSWER, SERVER_ERROR, THROTTLE, UNEXPECTED = "no answer", "5xx", "429", "unexpected answer"
KINDS = (NO_ANSWER, SERVER_ERROR, THROTTLE, UNEXPECTED)


@dataclass(frozen=True)
class Answer:
    """One answer as a predicate sees it. `status` 0 = no HTTP answer (connection error or timeout)."""

    label: str
    status: int
    body: Any  # parsed JSON, or None


def _dict(body: Any) -> dict[str, Any]:
    return body if isinstance(body, dict) else {}


def is_persisted(answer: Answer) -> bool:
    return answer.status == 200 and helpers.is_persisted(answer.body)


def is_signed_in_read(answer: Answer) -> bool:
    """200 with the signed-in body: a profile with a UUID userId (`auth/me`), else an `authenticated` data answer."""
    body = _dict(answer.body)
    if answer.status != 200:
        return False
    if answer.label == "auth/me":
        return bool(helpers.UUID.match(str(body.get("userId"))))
    return body.get("mode") == "authenticated"


def is_anonymous_me(answer: Answer) -> bool:
    """/auth/me without credentials: the route's own 401 (answered before any token work)."""
    return answer.status == 401 and str(_dict(answer.body).get("error", "")).startswith("Unauthorized")


def is_anonymous_me_or_throttled(answer: Answer) -> bool:
    """load.throttling: the route's answer or the gateway's exact 429 body."""
    return is_anonymous_me(answer) or (answer.status == 429 and answer.body == THROTTLED)


def is_ok(answer: Answer) -> bool:
    """Any 2xx (the engine's own tests and the ceiling benchmark)."""
    return 200 <= answer.status < 300


PREDICATES: dict[str, Callable[[Answer], bool]] = {
    "persisted": is_persisted,
    "signed_in_read": is_signed_in_read,
    "anonymous_me": is_anonymous_me,
    "anonymous_me_or_throttled": is_anonymous_me_or_throttled,
    "ok": is_ok,
}


def predicate(name: str) -> Callable[[Answer], bool]:
    try:
        return PREDICATES[name]
    except KeyError:
        raise ValueError(f"no load predicate named {name!r} (known: {', '.join(sorted(PREDICATES))})") from None


def failure_kind(answer: Answer, *, accepted: bool) -> str | None:
    """None for an accepted answer, else the kind the checks judge it by."""
    if answer.status == 0:
        return NO_ANSWER
    if accepted:
        return None
    if answer.status >= 500:
        return SERVER_ERROR
    if answer.status == 429:
        return THROTTLE
    return UNEXPECTED
