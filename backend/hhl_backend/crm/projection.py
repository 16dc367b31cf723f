"""One learner's CRM properties recomputed from DynamoDB (SPEC §7): the same state and summary as `progress/read`.

Everything is read with consistent reads through the store's own readers and shaped by `store/views.py`, so the
contact can never disagree with the API. Recomputing from the source of truth is what makes replays idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hhl_backend.crm.values import iso_instant, utc_date
from hhl_backend.store import Store, build_progress_state, build_summary
from hhl_backend.store.views import STANDALONE_KEY

ENROLLED = "hhl_enrolled_courses"
COMPLETED = "hhl_completed_courses"


@dataclass(frozen=True)
class Projection:
    """What DynamoDB says about one user: the contact key, the plain property values and the never-shrink sets."""

    sub: str
    email: str | None
    contact_id: str | None  # PROFILE.hubspotContactId, once a sync stored it
    values: dict[str, str] = field(default_factory=dict)
    sets: dict[str, frozenset[str]] = field(default_factory=dict)


def _course_nodes(state: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key, node in state.items():
        yield from (node if key == STANDALONE_KEY else node.get("courses", {})).values()


def completed_modules(state: Mapping[str, Any]) -> int:
    """Completed modules over every course node of a `progress/read` state (nested or standalone)."""
    return sum(1 for course in _course_nodes(state) for module in course["modules"].values() if module["completed"])


def _present(values: Mapping[str, str | None]) -> dict[str, str]:
    # Unknown values are omitted, never sent as "": HubSpot rejects empty dates and numbers (SPEC §7).
    return {name: value for name, value in values.items() if value is not None}


def project(store: Store, sub: str) -> Projection:
    profile = store.get_user_profile(sub) or {}
    data = store.load_user_data(sub)
    badges = store.list_badges(sub)
    state = build_progress_state(data, store.catalog)
    activity = data.activity or {}
    courses = [e for e in data.enrollments if e.get("entityType") == "course" and e.get("courseSlug")]
    # A badge is issued in the same transaction that completes its course; either one is proof of completion.
    badge_courses = {(b.get("metadata") or {}).get("courseSlug") for b in badges} - {None, ""}
    values = _present(
        {
            "hhl_progress_state": json.dumps(state, sort_keys=True, separators=(",", ":")),
            "hhl_progress_summary": build_summary(data, store.catalog),
            "hhl_progress_updated_at": utc_date(activity.get("progressUpdatedAt")),
            # An empty state says nothing about the contact's count: keep the existing value (SPEC §7).
            "hhl_total_progress": str(completed_modules(state)) if state else None,
            "hhl_last_activity": utc_date(activity.get("lastActivityAt")),
            "hhl_last_viewed_type": activity.get("lastViewedType") or None,
            "hhl_last_viewed_slug": activity.get("lastViewedSlug") or None,
            "hhl_last_viewed_at": iso_instant(activity.get("lastViewedAt")),
        }
    )
    sets = {
        ENROLLED: frozenset(e["courseSlug"] for e in courses),
        COMPLETED: frozenset({e["courseSlug"] for e in courses if e.get("status") == "completed"} | badge_courses),
    }
    email = profile.get("email")
    return Projection(
        sub=sub,
        email=email.strip() if isinstance(email, str) and email.strip() else None,
        contact_id=str(profile["hubspotContactId"]) if profile.get("hubspotContactId") else None,
        values=values,
        sets=sets,
    )
