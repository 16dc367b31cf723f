"""The DynamoDB store (SPEC §4): user profiles, enrollments, progress rows, activity, quiz attempts and badges.

Every event is a fixed sequence of single-item UpdateItems (progress row → course enrollment → pathway enrollment
→ activity), first timestamps with if_not_exists and flags only ever SET true, so that concurrent events and
retries converge without lost updates (SPEC §4.5). The real deployment rewrote one JSON blob per event instead.
Progress rows and enrollments carry their key-fixed attributes only on the write that creates them (`Dynamo.upsert`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from hhl_backend.content import Catalog
from hhl_backend.store.dynamo import Dynamo, Update
from hhl_backend.store.keys import (
    ACTIVITY_SK,
    BADGE_PREFIX,
    ENROLLMENT_PREFIX,
    PROFILE_SK,
    TableNames,
    course_enrollment_base,
    course_enrollment_key,
    now_iso,
    pathway_enrollment_base,
    pathway_enrollment_key,
    progress_key,
    progress_pk,
    user_pk,
)
from hhl_backend.store.rollup import Rollup

if TYPE_CHECKING:
    from hhl_backend.config import Settings

MODULE_EVENT_SOURCE = "module_event"
DEFAULT_REGION = "us-west-2"
# SPEC §4.5: standard retry mode, 3 attempts; short timeouts keep a slow table inside the Lambda's budget.
BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=3)


def dynamodb_client(endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A DynamoDB client; boto3 itself honours AWS_ENDPOINT_URL and AWS_REGION/AWS_DEFAULT_REGION."""
    session = boto3.session.Session()
    region_name = region or session.region_name or DEFAULT_REGION
    return session.client("dynamodb", region_name=region_name, endpoint_url=endpoint_url, config=BOTO_CONFIG)


@dataclass(frozen=True)
class UserData:
    """Everything the read routes need about one learner, loaded with consistent reads."""

    enrollments: list[dict[str, Any]]
    progress: dict[str, list[dict[str, Any]]]  # course slug → its module rows
    activity: dict[str, Any] | None


class Store:
    def __init__(
        self, client: Any, tables: TableNames, catalog: Catalog, *, clock: Callable[[], str] = now_iso
    ) -> None:
        self.db = Dynamo(client)
        self.tables = tables
        self.catalog = catalog
        self.clock = clock
        self.rollup = Rollup(self.db, tables, catalog)

    @classmethod
    def from_settings(cls, settings: Settings, catalog: Catalog) -> Store:
        tables = TableNames(
            users=settings.users_table,
            enrollments=settings.enrollments_table,
            progress=settings.progress_table,
            badges=settings.badges_table,
        )
        return cls(dynamodb_client(settings.aws_endpoint_url), tables, catalog)

    # ---- users (SPEC §4.2) ----------------------------------------------------------------------------------

    def upsert_user_profile(self, sub: str, claims: Mapping[str, Any]) -> None:
        """One UpdateItem from ID-token claims; createdAt only on the first login."""
        now = self.clock()
        email = str(claims.get("email") or "")
        name = claims.get("name")
        values: dict[str, Any] = {
            "userId": sub,
            "email": email,
            "displayName": name if isinstance(name, str) and name.strip() else email.split("@", 1)[0],
            "givenName": str(claims.get("given_name") or ""),
            "familyName": str(claims.get("family_name") or ""),
            "cognitoUsername": str(claims.get("cognito:username") or claims.get("username") or sub),
            "updatedAt": now,
            "lastLoginAt": now,
        }
        if email:  # a GSI key attribute may not be empty
            values |= {"GSI1PK": f"EMAIL#{email.lower()}", "GSI1SK": user_pk(sub)}
        update = Update(set=values, set_once={"createdAt": now})
        self.db.update(self.tables.users, {"PK": user_pk(sub), "SK": PROFILE_SK}, update)

    def get_user_profile(self, sub: str) -> dict[str, Any] | None:
        return self.db.get(self.tables.users, {"PK": user_pk(sub), "SK": PROFILE_SK})

    # ---- event writes (SPEC §3.10, §4.5) --------------------------------------------------------------------

    def record_module_event(
        self,
        sub: str,
        *,
        module_slug: str | None,
        course_slug: str | None,
        pathway_slug: str | None,
        completed: bool,
    ) -> None:
        """learning_module_started/completed: progress row, auto-enrolment, activity, then the course roll-up."""
        now = self.clock()
        course = course_slug or (self.catalog.course_of_module(module_slug) if module_slug else None)
        if course and module_slug:
            flag, stamp = ("completed", "completedAt") if completed else ("started", "startedAt")
            self.db.upsert(
                self.tables.progress,
                progress_key(sub, course, module_slug),
                Update(set={flag: True, "updatedAt": now}, set_once={stamp: now}),
                creation=Update(
                    set={"userId": sub, "courseSlug": course, "moduleId": module_slug},
                    # The other flag starts false if absent, so every row carries both; never clears a true.
                    set_once={("started" if completed else "completed"): False},
                ),
            )
        if course:
            self._enroll_course(sub, course, pathway_slug, MODULE_EVENT_SOURCE, now)
        if pathway_slug:
            self._enroll_pathway(sub, pathway_slug, MODULE_EVENT_SOURCE, now)
        self._touch_activity(sub, now, progress=True)
        if completed and course:
            self.rollup.after_module_completed(sub, course, now)

    def enroll_course(self, sub: str, course_slug: str, *, pathway_slug: str | None, source: str | None) -> None:
        """learning_course_enrolled: the course, and the given pathway if it is not enrolled yet."""
        now = self.clock()
        self._enroll_course(sub, course_slug, pathway_slug, source, now)
        if pathway_slug:
            self._enroll_pathway(sub, pathway_slug, source, now)
        self._touch_activity(sub, now, progress=True)

    def enroll_pathway(self, sub: str, pathway_slug: str, *, source: str | None) -> None:
        now = self.clock()
        self._enroll_pathway(sub, pathway_slug, source, now)
        self._touch_activity(sub, now, progress=True)

    def record_page_view(self, sub: str, content_type: str, slug: str) -> None:
        now = self.clock()
        viewed = {"lastViewedType": content_type, "lastViewedSlug": slug, "lastViewedAt": now}
        self._touch_activity(sub, now, progress=False, extra=viewed)

    def course_completion(self, sub: str, course_slug: str) -> tuple[int, int]:
        """(completed, total) catalog modules, for the strict `learning_course_completed` claim check."""
        return self.rollup.course_count(sub, course_slug)

    def pathway_completion(self, sub: str, pathway_slug: str) -> tuple[int, int]:
        return self.rollup.pathway_count(sub, pathway_slug)

    def accept_course_completion(self, sub: str, course_slug: str) -> None:
        """An accepted claim: the idempotent roll-up (the check already saw every module completed)."""
        now = self.clock()
        self.rollup.after_module_completed(sub, course_slug, now)
        self._touch_activity(sub, now, progress=True)

    def accept_pathway_completion(self, sub: str, pathway_slug: str) -> None:
        now = self.clock()
        self.rollup.try_complete_pathway(sub, pathway_slug, now)
        self._touch_activity(sub, now, progress=True)

    def record_quiz_attempt(self, sub: str, module_slug: str, score: int, passed: bool) -> None:
        """The latest score and attempt count on the module's progress row; a quiz never completes a module."""
        now = self.clock()
        course = self.catalog.course_of_module(module_slug)
        if course is None:  # quizzes target catalog modules (validated at start-up)
            raise ValueError(f"module {module_slug!r} is not in the catalog")
        set_once: dict[str, Any] = {"started": False, "completed": False}
        if passed:
            set_once["quizPassedAt"] = now
        update = Update(
            set={
                "userId": sub,
                "courseSlug": course,
                "moduleId": module_slug,
                "quizScore": score,
                "quizLastAttemptAt": now,
                "updatedAt": now,
            },
            set_once=set_once,
            add={"quizAttempts": 1},
        )
        self.db.update(self.tables.progress, progress_key(sub, course, module_slug), update)

    # ---- reads ------------------------------------------------------------------------------------------------

    def list_enrollments(self, sub: str) -> list[dict[str, Any]]:
        return self.db.query(self.tables.enrollments, user_pk(sub), ENROLLMENT_PREFIX)

    def progress_rows(self, sub: str, course_slug: str) -> list[dict[str, Any]]:
        return self.db.query(self.tables.progress, progress_pk(sub, course_slug))

    def get_activity(self, sub: str) -> dict[str, Any] | None:
        return self.db.get(self.tables.users, {"PK": user_pk(sub), "SK": ACTIVITY_SK})

    def list_badges(self, sub: str) -> list[dict[str, Any]]:
        return self.db.query(self.tables.badges, user_pk(sub), BADGE_PREFIX)

    def load_user_data(self, sub: str, extra_courses: tuple[str, ...] = ()) -> UserData:
        """Enrollments, the progress rows of every enrolled course (plus `extra_courses`), and the activity item."""
        enrollments = self.list_enrollments(sub)
        courses = {e["courseSlug"] for e in enrollments if e.get("entityType") == "course"} | set(extra_courses)
        progress = {c: self.progress_rows(sub, c) for c in sorted(courses)}
        return UserData(enrollments=enrollments, progress=progress, activity=self.get_activity(sub))

    # ---- single-item writes ------------------------------------------------------------------------------

    def _enroll_course(self, sub: str, course: str, pathway: str | None, source: str | None, now: str) -> None:
        once = {"pathwaySlug": pathway, "enrollmentSource": source}
        self._enroll(course_enrollment_key(sub, course), course_enrollment_base(sub, course), once, now)

    def _enroll_pathway(self, sub: str, pathway: str, source: str | None, now: str) -> None:
        once = {"enrollmentSource": source}
        self._enroll(pathway_enrollment_key(sub, pathway), pathway_enrollment_base(sub, pathway), once, now)

    def _enroll(self, key: dict[str, str], base: dict[str, Any], once: Mapping[str, str | None], now: str) -> None:
        """updatedAt and the given first-write-wins values; a new item also gets `base`, enrolledAt and status."""
        update = Update(set={"updatedAt": now}, set_once={k: v for k, v in once.items() if v})
        creation = Update(set=base, set_once={"enrolledAt": now, "status": "active"})
        self.db.upsert(self.tables.enrollments, key, update, creation=creation)

    def _touch_activity(self, sub: str, now: str, *, progress: bool, extra: Mapping[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"userId": sub, "lastActivityAt": now, "updatedAt": now, **(extra or {})}
        if progress:
            values["progressUpdatedAt"] = now
        self.db.update(self.tables.users, {"PK": user_pk(sub), "SK": ACTIVITY_SK}, Update(set=values))
