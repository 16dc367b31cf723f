"""`POST /events/track` (SPEC §3.10): validate, then record the event for the signed-in learner only.

Identity comes from the seams' resolver alone; `contactIdentifier` is shape-checked and ignored (D7).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hhl_backend.blocking import run_blocking
from hhl_backend.errors import json_response
from hhl_backend.identity import Identity
from hhl_backend.logs import log_event
from hhl_backend.routes.validation import Checker, Invalid, read_json_object, schema_error
from hhl_backend.store import Store, StoreError

SCHEMA_MESSAGE = "Invalid track event payload"
MODULE_EVENTS = ("learning_module_started", "learning_module_completed")
EVENT_NAMES = (
    *MODULE_EVENTS,
    "learning_pathway_enrolled",
    "learning_course_enrolled",
    "learning_course_completed",
    "learning_pathway_completed",
    "learning_page_viewed",
)
# Which slug each non-module event requires.
REQUIRED_SLUG = {
    "learning_pathway_enrolled": "pathway_slug",
    "learning_pathway_completed": "pathway_slug",
    "learning_course_enrolled": "course_slug",
    "learning_course_completed": "course_slug",
}
PERSISTED = {"status": "persisted", "mode": "authenticated", "backend": "dynamodb"}
ANONYMOUS = {"status": "logged", "mode": "anonymous"}
FALLBACK = {"status": "logged", "mode": "fallback", "error": "Unable to persist event"}


@dataclass(frozen=True)
class TrackEvent:
    name: str
    module_slug: str | None
    course_slug: str | None
    pathway_slug: str | None
    source: str | None
    content_type: str | None
    page_slug: str | None


def parse_event(body: dict[str, Any]) -> TrackEvent:
    """The validated event, or Invalid with every finding (SPEC §3.9 SCHEMA_VALIDATION_FAILED)."""
    check = Checker()
    name = body.get("eventName")
    # Only a str may be looked up below: `{}`/`[]` are unhashable, and the dict lookups would raise (a 500).
    if not isinstance(name, str) or name not in EVENT_NAMES:
        check.fail("eventName", f"must be one of {', '.join(EVENT_NAMES)}")
        name = None
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        check.fail("payload", "must be an object")
        payload = {}
    check.contact_identifier(body.get("contactIdentifier"))
    source = check.text(body.get("enrollment_source"), "enrollment_source", max_length=1000)
    # Course/pathway slugs may come from the payload too; the top level wins.
    slugs = {}
    for key in ("course_slug", "pathway_slug"):
        top = check.slug(body.get(key), key)
        nested = check.slug(payload.get(key), f"payload.{key}")
        slugs[key] = top if body.get(key) is not None else nested
    module = check.slug(payload.get("module_slug"), "payload.module_slug")
    content_type = page_slug = None
    if name in MODULE_EVENTS and not (module or slugs["course_slug"] or slugs["pathway_slug"]):
        check.fail("payload.module_slug", "required (or a course_slug/pathway_slug)")
    elif name in REQUIRED_SLUG and not slugs[REQUIRED_SLUG[name]]:
        check.fail(REQUIRED_SLUG[name], "required")
    elif name == "learning_page_viewed":
        content_type = check.text(
            payload.get("content_type"), "payload.content_type", min_length=1, max_length=50, required=True
        )
        page_slug = check.text(payload.get("slug"), "payload.slug", min_length=1, max_length=200, required=True)
    if check.details:
        raise schema_error(SCHEMA_MESSAGE, check.details)
    return TrackEvent(str(name), module, slugs["course_slug"], slugs["pathway_slug"], source, content_type, page_slug)


def _claim_rejected(kind: str, slug: str, done: int, total: int) -> Invalid:
    unit, context = ("modules", "courseSlug") if kind == "Course" else ("courses", "pathwaySlug")
    reason = f"{kind} not actually complete: {done}/{total} {unit} completed"
    return Invalid(
        400,
        f"{kind} completion claim rejected: {reason}",
        "INVALID_EVENT_DATA",
        [f"{context}: {reason}"],
        context={context: slug},
    )


def record(store: Store, sub: str, event: TrackEvent) -> None:
    """Apply one validated event (SPEC §3.10 table); raises Invalid for a rejected completion claim."""
    if event.name in MODULE_EVENTS:
        store.record_module_event(
            sub,
            module_slug=event.module_slug,
            course_slug=event.course_slug,
            pathway_slug=event.pathway_slug,
            completed=event.name == "learning_module_completed",
        )
    elif event.name == "learning_pathway_enrolled":
        store.enroll_pathway(sub, str(event.pathway_slug), source=event.source)
    elif event.name == "learning_course_enrolled":
        store.enroll_course(sub, str(event.course_slug), pathway_slug=event.pathway_slug, source=event.source)
    elif event.name == "learning_course_completed":
        done, total = store.course_completion(sub, str(event.course_slug))
        if not total or done < total:
            raise _claim_rejected("Course", str(event.course_slug), done, total)
        store.accept_course_completion(sub, str(event.course_slug))
    elif event.name == "learning_pathway_completed":
        done, total = store.pathway_completion(sub, str(event.pathway_slug))
        if not total or done < total:
            raise _claim_rejected("Pathway", str(event.pathway_slug), done, total)
        store.accept_pathway_completion(sub, str(event.pathway_slug))
    else:
        store.record_page_view(sub, str(event.content_type), str(event.page_slug))


def _track(request: Request, event: TrackEvent) -> dict[str, Any]:
    """The blocking part (identity, DynamoDB), run in the threadpool."""
    state = request.app.state
    identity: Identity | None = state.seams.identity_resolver(request)
    if identity is None:
        return ANONYMOUS
    try:
        record(state.store, identity.sub, event)
    except StoreError as exc:
        # Re-sending converges (every write is idempotent), so the client may simply retry.
        log_event("event_persist_failed", level=logging.ERROR, event_name=event.name, reason=str(exc))
        return FALLBACK
    return PERSISTED


async def track(request: Request) -> Response:
    try:
        body = await read_json_object(request, SCHEMA_MESSAGE)
        event = request.app.state.seams.track_event_parser(body)
        result = await run_blocking(request, _track, request, event)
    except Invalid as invalid:
        return invalid.response(request)
    return json_response(result, no_store=result is not ANONYMOUS)
