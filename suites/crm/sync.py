"""What the crm sync checks share: a signed-in `Learner` that sends events through the API (SPEC §3.10) and reads
its own progress, readers of HubSpot's string-valued properties, and bounded waiting for a contact to reflect them.
Waiting is polling a condition with a bound (the env's `crm.sync_deadline_s`), never a guessed sleep."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.errors import CheckFailure
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from checks.login import ACCESS_COOKIE
from checks.polling import poll
from environments import Environment
from suites.api.helpers import blocked_unless, expect_status, is_persisted, require, where

__all__ = [
    "Learner",
    "Watch",
    "completed_modules",
    "course_set",
    "number",
    "poll_interval",
    "state_json",
    "today_utc",
    "watch",
]


def poll_interval(deadline_s: float) -> float:
    """About 120 reads per deadline, 0.5 s at the least (sandbox) and 5 s at the most: HubSpot limits its search
    endpoint to a few requests per second per portal, shared with the consumer under test."""
    return min(5.0, max(0.5, deadline_s / 120))


def today_utc() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def course_set(value: Any) -> list[str]:
    """A `;`-joined set property (`hhl_enrolled_courses`) as its members, in stored order."""
    return [part for part in str(value or "").split(";") if part]


def number(value: Any) -> float | None:
    """HubSpot returns every property value as a string: `"3"` → 3.0; empty or unreadable → None."""
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def state_json(value: Any) -> Any:
    """`hhl_progress_state` parsed; a value that is not JSON is returned as the raw string (never equal)."""
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def completed_modules(progress: Mapping[str, Any]) -> int:
    """Completed module rows in a SPEC §3.11 progress tree (standalone courses and courses under pathways)."""

    def courses() -> Iterable[Mapping[str, Any]]:
        for key, node in progress.items():
            if not isinstance(node, Mapping):
                continue
            children = node if key == "courses" else node.get("courses") or {}
            yield from (c for c in children.values() if isinstance(c, Mapping))

    return sum(
        1
        for course in courses()
        for module in (course.get("modules") or {}).values()
        if isinstance(module, Mapping) and module.get("completed") is True
    )


class Learner:
    """One signed-in user driving the API with its access cookie; a refused event blocks the check (recording
    signed-in events is api.events.persisted's property, not the sync's)."""

    def __init__(self, api: HttpClient, env: Environment, access_token: str, evidence: Evidence) -> None:
        self.api, self.env, self.evidence = api, env, evidence
        self.cookies = {ACCESS_COOKIE: access_token}
        self._profile: dict[str, Any] | None = None

    def profile(self) -> dict[str, Any]:
        """`GET /auth/me` (once): the identity the sync resolves the contact from."""
        if self._profile is None:
            body = expect_status(self.evidence, self.api.get("/auth/me", cookies=self.cookies), 200)
            require(isinstance(body.get("email"), str) and "@" in body["email"], f"GET /auth/me: no email in {body}")
            self._profile = body
        return self._profile

    def email(self) -> str:
        """The address the sync looks the contact up by."""
        return str(self.profile()["email"])

    def track(self, body: Mapping[str, Any], *, owner: str = "api.events.persisted") -> Response:
        response = self.api.post("/events/track", json=dict(body), cookies=self.cookies)
        blocked_unless(
            response.status == 200 and is_persisted(response.json_or_none()),
            owner,
            f"{where(response)} {body.get('eventName')} not persisted ({response.describe()})",
        )
        return response

    def enroll(self, course: str, pathway: str | None = None) -> Response:
        body: dict[str, Any] = {
            "eventName": "learning_course_enrolled",
            "course_slug": course,
            "enrollment_source": "hhl-harness",
        }
        if pathway:
            body["pathway_slug"] = pathway
        return self.track(body)

    def module(self, event: str, course: str, module: str) -> Response:
        body = {"eventName": f"learning_module_{event}", "course_slug": course, "payload": {"module_slug": module}}
        return self.track(body, owner="api.progress.module_lifecycle")

    def page_view(self, content_type: str, slug: str) -> Response:
        return self.track(
            {"eventName": "learning_page_viewed", "payload": {"content_type": content_type, "slug": slug}}
        )

    def progress(self) -> dict[str, Any]:
        """`progress/read`'s `progress` (the state the contact's `hhl_progress_state` must equal)."""
        response = self.api.get("/progress/read", cookies=self.cookies)
        body = response.json_or_none()
        ok = response.status == 200 and isinstance(body, dict) and isinstance(body.get("progress"), dict)
        blocked_unless(ok, "api.progress.module_lifecycle", f"progress/read unusable ({response.describe()})")
        return body["progress"]


@dataclass
class Watch:
    """The outcome of waiting for a contact: the last properties seen, when (s after the start), how many reads."""

    reflected: bool
    properties: dict[str, Any] | None
    elapsed_s: float
    reads: int
    seen: list[dict[str, Any]] = field(default_factory=list)  # distinct observations, in order

    def summary(self) -> dict[str, Any]:
        return {
            "reflected": self.reflected,
            "elapsed_s": round(self.elapsed_s, 2),
            "reads": self.reads,
            "last_properties": self.properties,
            "distinct_observations": len(self.seen),
        }


def watch(
    read: Callable[[], dict[str, Any] | None],
    condition: Callable[[dict[str, Any]], bool],
    *,
    deadline_s: float,
    interval_s: float | None = None,
) -> Watch:
    """Read the contact (None = not there yet) until `condition` holds or the deadline passes."""
    started = time.monotonic()
    seen: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None

    def probe() -> bool:
        nonlocal last
        last = read()
        if last is not None and (not seen or seen[-1] != last):
            seen.append(last)
        return last is not None and condition(last)

    hit, reads = poll(probe, timeout_s=deadline_s, interval_s=interval_s or poll_interval(deadline_s))
    return Watch(bool(hit), last, time.monotonic() - started, reads, seen)


def expect_reflected(
    evidence: Evidence, result: Watch, expected: Mapping[str, Any], what: str, **actual: Any
) -> dict[str, Any]:
    """Record the wait (plus `actual`) and fail with what the contact held when the deadline passed."""
    evidence.record(expected=dict(expected), actual={**result.summary(), **actual})
    if not result.reflected or result.properties is None:
        held = "no contact for the test user" if result.properties is None else f"the contact held {result.properties}"
        raise CheckFailure(f"{what} not reflected in HubSpot within {result.elapsed_s:.0f} s: {held}")
    return result.properties
