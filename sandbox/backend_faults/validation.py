"""A defective `/events/track` parser: `backend.unhashable_event_name` looks the event's required slug up by the
raw `eventName` before checking that it is one of the seven names, so `{"eventName": {}}` (or `[]`) raises
`TypeError: unhashable type` and the learner gets `500 {"error":"Internal error"}` instead of a 400 (SPEC §3.9).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hhl_backend.routes.events import REQUIRED_SLUG, parse_event
from hhl_backend.seams import Seams


def parse_event_looking_up_first(body: dict[str, Any]) -> Any:
    """backend.unhashable_event_name: the dict lookup runs on an unvalidated value (a 500 for `{}`/`[]`)."""
    REQUIRED_SLUG.get(body.get("eventName"))
    return parse_event(body)


def apply(seams: Seams, faults: frozenset[str]) -> Seams:
    """`seams` with the validation faults in `faults` planted; other names are ignored."""
    if "backend.unhashable_event_name" in faults:
        return dataclasses.replace(seams, track_event_parser=parse_event_looking_up_first)
    return seams
