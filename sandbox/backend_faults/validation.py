"""A defective `/events/track` parser: `backend.unhashable_event_name` looks the event's required slug up by the
raw `eventName` before checking that it is one of the seven names, so `{"eventName": {}}` (or `[]`) raises
`TypeError: unhashable type` and the learner gets `500 {"error":"Internal error"}` instead of a 400 (SPEC §3.9).
"""

from __future__ import annotations

from typing import Any

from hhl_backend.routes.events import REQUIRED_SLUG, parse_event


def parse_event_looking_up_first(body: dict[str, Any]) -> Any:
    """backend.unhashable_event_name: the dict lookup runs on an unvalidated value (a 500 for `{}`/`[]`)."""
    event_name: Any = body.get("eventName")  # unvalidated on purpose: any JSON value
    REQUIRED_SLUG.get(event_name)
    return parse_event(body)
