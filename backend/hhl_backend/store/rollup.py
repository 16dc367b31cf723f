"""Course and pathway completion (SPEC §4.6): consistent reads after our own writes, conditional transactions.

Each completer reads after its own write, so the last of several concurrent completers sees every module; the
`attribute_not_exists(badgeIssuedAt)` condition then lets exactly one of them issue the badge.
"""

from __future__ import annotations

from typing import Any

from hhl_backend.content import Catalog, Course
from hhl_backend.store.dynamo import Dynamo, Update, transact_put, transact_update
from hhl_backend.store.keys import (
    BADGE_PREFIX,
    ENROLLMENT_PREFIX,
    TableNames,
    course_enrollment_base,
    course_enrollment_key,
    pathway_enrollment_base,
    pathway_enrollment_key,
    progress_pk,
    user_pk,
)


def completed_modules(rows: list[dict[str, Any]], course: Course) -> dict[str, str]:
    """Catalog module slug → completedAt for the completed rows among `rows`."""
    wanted = set(course.module_slugs)
    return {r["moduleId"]: r.get("completedAt", "") for r in rows if r.get("completed") and r.get("moduleId") in wanted}


def completion_update(base: dict[str, Any], completed_at: str, now: str, **extra: str) -> Update:
    """The enrollment write that marks a course or pathway completed; `enrolledAt` stays first-write-wins."""
    return Update(
        set={**base, "status": "completed", "completedAt": completed_at, **extra, "updatedAt": now},
        set_once={"enrolledAt": now},
    )


def completed_courses(enrollments: list[dict[str, Any]]) -> dict[str, str]:
    """Course slug → completedAt for the completed course enrollments."""
    return {
        e["courseSlug"]: e.get("completedAt", "")
        for e in enrollments
        if e.get("entityType") == "course" and e.get("status") == "completed"
    }


class Rollup:
    def __init__(self, db: Dynamo, tables: TableNames, catalog: Catalog) -> None:
        self.db = db
        self.tables = tables
        self.catalog = catalog

    def course_count(self, sub: str, course_slug: str) -> tuple[int, int]:
        """(catalog modules completed, catalog modules); (0, 0) for a non-catalog course."""
        course = self.catalog.courses.get(course_slug)
        if course is None:
            return 0, 0
        rows = self.db.query(self.tables.progress, progress_pk(sub, course_slug))
        return len(completed_modules(rows, course)), len(course.modules)

    def pathway_count(self, sub: str, pathway_slug: str) -> tuple[int, int]:
        """(catalog courses completed, catalog courses); (0, 0) for a non-catalog pathway."""
        pathway = self.catalog.pathways.get(pathway_slug)
        if pathway is None:
            return 0, 0
        done = completed_courses(self.db.query(self.tables.enrollments, user_pk(sub), ENROLLMENT_PREFIX))
        return sum(1 for c in pathway.courses if c in done), len(pathway.courses)

    def after_module_completed(self, sub: str, course_slug: str, now: str) -> None:
        """Complete the course if every catalog module is done, then any catalog pathway it belongs to."""
        course = self.catalog.courses.get(course_slug)
        if course is None:
            return  # non-catalog slugs are stored but never roll up
        done = completed_modules(self.db.query(self.tables.progress, progress_pk(sub, course_slug)), course)
        if len(done) < len(course.modules):
            return
        self.complete_course(sub, course, max(done.values()) or now, now)
        self.complete_pathways_of(sub, course_slug, now)

    def complete_course(self, sub: str, course: Course, completed_at: str, now: str) -> bool:
        """One transaction: enrollment completed + badge. False = someone already did it (nothing written)."""
        update = completion_update(course_enrollment_base(sub, course.slug), completed_at, now, badgeIssuedAt=now)
        badge = {
            "PK": user_pk(sub),
            "SK": f"{BADGE_PREFIX}{course.badge_id}#{now}",
            "userId": sub,
            "badgeId": course.badge_id,
            "issuedAt": now,
            "metadata": {
                "courseSlug": course.slug,
                "title": course.badge.title if course.badge else course.title,
                "description": course.badge.description if course.badge else f"Completed {course.title}.",
                "criteria": "all_modules_completed",
            },
        }
        key = course_enrollment_key(sub, course.slug)
        return self.db.transact(
            [
                transact_update(self.tables.enrollments, key, update, "attribute_not_exists(badgeIssuedAt)"),
                transact_put(self.tables.badges, badge),
            ]
        )

    def complete_pathways_of(self, sub: str, course_slug: str, now: str) -> None:
        pathways = self.catalog.pathways_of_course(course_slug)
        if pathways:
            enrollments = self.db.query(self.tables.enrollments, user_pk(sub), ENROLLMENT_PREFIX)
            for slug in pathways:
                self.try_complete_pathway(sub, slug, now, enrollments)

    def try_complete_pathway(
        self, sub: str, pathway_slug: str, now: str, enrollments: list[dict[str, Any]] | None = None
    ) -> None:
        """Complete a catalog pathway whose catalog courses are all completed (idempotent)."""
        pathway = self.catalog.pathways.get(pathway_slug)
        if pathway is None:
            return
        if enrollments is None:
            enrollments = self.db.query(self.tables.enrollments, user_pk(sub), ENROLLMENT_PREFIX)
        done = completed_courses(enrollments)
        if all(c in done for c in pathway.courses):
            self.complete_pathway(sub, pathway_slug, max(done[c] for c in pathway.courses) or now, now)

    def complete_pathway(self, sub: str, pathway_slug: str, completed_at: str, now: str) -> bool:
        """Same conditional update as a course, without a badge; False = already completed."""
        update = completion_update(pathway_enrollment_base(sub, pathway_slug), completed_at, now)
        key = pathway_enrollment_key(sub, pathway_slug)
        return self.db.update(self.tables.enrollments, key, update, condition="attribute_not_exists(completedAt)")
