"""Defective replacements for the backend's data seams: `backend.email_identity` and `backend.read_modify_write`.

Both reproduce what the real deployment did (SPEC §3.8, §4.5 "Real deployment" notes): data routes that trust a
caller-asserted email, and progress written as a read-modify-write of one document, losing concurrent updates.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from hhl_backend.config import Settings
from hhl_backend.content import Catalog
from hhl_backend.identity import Identity
from hhl_backend.store import MODULE_EVENT_SOURCE, Store
from hhl_backend.store.keys import course_enrollment_base, course_enrollment_key, progress_key
from starlette.requests import Request

Resolver = Callable[[Request], Identity | None]


def _asserted_email(request: Request) -> str | None:
    """`?email=`, else body `contactIdentifier.email`: whatever the caller claims to be."""
    email = request.query_params.get("email")
    if email:
        return email
    raw = getattr(request.state, "raw_body", b"")  # set by the data routes when they read the body
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return None
    contact = body.get("contactIdentifier") if isinstance(body, dict) else None
    value = contact.get("email") if isinstance(contact, dict) else None
    return value if isinstance(value, str) and value else None


def find_sub_by_email(store: Store, email: str) -> str | None:
    """The users GSI1 lookup on `EMAIL#<email>` that the real deployment used to pick whose data to serve."""
    response = store.db.client.query(
        TableName=store.tables.users,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"EMAIL#{email.strip().lower()}"}},
        Limit=1,
    )
    items = response.get("Items") or []
    return items[0]["userId"]["S"] if items else None


def email_identity(resolve: Resolver) -> Resolver:
    """backend.email_identity: the session if there is one, else anyone whose email the caller names."""

    def resolver(request: Request) -> Identity | None:
        identity = resolve(request)
        if identity is not None:
            return identity
        email = _asserted_email(request)
        sub = find_sub_by_email(request.app.state.store, email) if email else None
        return Identity(sub=sub, email=email) if sub else None

    return resolver


class ReadModifyWriteStore(Store):
    """backend.read_modify_write: each module event loads the learner's course document (every progress row and
    the enrollment), changes it in memory and writes all of it back unconditionally, as the real deployment
    rewrote its JSON blob. Two overlapping events each write their stale copy, so one update is lost."""

    def record_module_event(
        self,
        sub: str,
        *,
        module_slug: str | None,
        course_slug: str | None,
        pathway_slug: str | None,
        completed: bool,
    ) -> None:
        course = course_slug or (self.catalog.course_of_module(module_slug) if module_slug else None)
        if not (course and module_slug):
            super().record_module_event(
                sub, module_slug=module_slug, course_slug=course_slug, pathway_slug=pathway_slug, completed=completed
            )
            return
        now = self.clock()
        document = {row["moduleId"]: row for row in self.progress_rows(sub, course)}  # read
        row = document.setdefault(
            module_slug,
            {**progress_key(sub, course, module_slug), "userId": sub, "courseSlug": course, "moduleId": module_slug},
        )
        flag, stamp = ("completed", "completedAt") if completed else ("started", "startedAt")
        row.setdefault("started", False)
        row.setdefault("completed", False)
        row |= {flag: True, stamp: now, "updatedAt": now}  # re-sends overwrite timestamps, as in the real system
        enrollment = {
            **course_enrollment_key(sub, course),
            **course_enrollment_base(sub, course),
            "enrolledAt": now,
            "status": "active",
            "enrollmentSource": MODULE_EVENT_SOURCE,
            "updatedAt": now,
        }
        for item in document.values():  # write the whole document back
            self.db.put(self.tables.progress, item)
        self.db.put(self.tables.enrollments, enrollment)
        if completed:
            self.rollup.after_module_completed(sub, course, now)


def read_modify_write_store(settings: Settings, catalog: Catalog) -> Store:
    base = Store.from_settings(settings, catalog)
    return ReadModifyWriteStore(base.db.client, base.tables, catalog)
