"""The store writes exactly the items of SPEC §4 and follows the §4.5/§4.6 rules (moto in-process)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hhl_backend.config import Settings
from hhl_backend.content import Catalog
from hhl_backend.store import Store, StoreError, TableNames, build_progress_read

from tests.backend.data.store_fixtures import item

SUB = "learner-1"
FOUNDATIONS = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def complete_all(store: Store, course: str, catalog: Catalog) -> None:
    for module in catalog.courses[course].module_slugs:
        store.record_module_event(SUB, module_slug=module, course_slug=None, pathway_slug=None, completed=True)


def test_profile_upsert_keeps_created_at_and_indexes_lowercase_email(
    store: Store, ddb: Any, settings: Settings
) -> None:
    claims = {"email": "Ada.Learner@Example.TEST", "given_name": "Ada", "cognito:username": "u-1"}
    store.upsert_user_profile(SUB, claims)
    first = store.get_user_profile(SUB)
    assert first is not None
    store.upsert_user_profile(SUB, {**claims, "name": "Ada L."})
    second = store.get_user_profile(SUB)
    assert second is not None
    assert second["createdAt"] == first["createdAt"]
    assert second["GSI1PK"] == "EMAIL#ada.learner@example.test"
    assert second["GSI1SK"] == f"USER#{SUB}"
    assert first["displayName"] == "Ada.Learner"  # email local part without a name claim
    assert second["displayName"] == "Ada L."
    assert second["familyName"] == ""
    assert second["cognitoUsername"] == "u-1"
    assert ISO_MS.match(second["lastLoginAt"])
    assert store.get_user_profile("nobody") is None


def test_module_started_writes_row_enrollment_and_activity(store: Store, ddb: Any, settings: Settings) -> None:
    store.record_module_event(
        SUB, module_slug="fabric-operations-welcome", course_slug=None, pathway_slug=PATHWAY, completed=False
    )
    row = item(ddb, settings.progress_table, f"USER#{SUB}#COURSE#{FOUNDATIONS}", "MODULE#fabric-operations-welcome")
    assert row is not None
    assert row["started"] is True and row["completed"] is False
    assert ISO_MS.match(row["startedAt"]) and "completedAt" not in row
    assert row["moduleId"] == "fabric-operations-welcome" and row["courseSlug"] == FOUNDATIONS
    course = item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#{FOUNDATIONS}")
    assert course is not None
    assert course["entityType"] == "course" and course["status"] == "active"
    assert course["enrollmentSource"] == "module_event" and course["pathwaySlug"] == PATHWAY
    assert course["GSI1PK"] == f"COURSE#{FOUNDATIONS}"
    pathway = item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#PATHWAY#{PATHWAY}")
    assert pathway is not None and pathway["GSI1PK"] == f"PATHWAY#{PATHWAY}" and pathway["entityType"] == "pathway"
    activity = item(ddb, settings.users_table, f"USER#{SUB}", "ACTIVITY")
    assert activity is not None and "GSI1PK" not in activity and ISO_MS.match(activity["progressUpdatedAt"])


def test_first_timestamps_and_sources_are_kept(store: Store, ddb: Any, settings: Settings) -> None:
    times = iter(["2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"])
    store.clock = lambda: next(times)
    store.enroll_course(SUB, FOUNDATIONS, pathway_slug=None, source="catalog")
    store.enroll_course(SUB, FOUNDATIONS, pathway_slug=PATHWAY, source="other")
    course = item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#{FOUNDATIONS}")
    assert course is not None
    assert course["enrolledAt"] == "2026-01-01T00:00:00.000Z"
    assert course["enrollmentSource"] == "catalog"
    assert course["pathwaySlug"] == PATHWAY  # first pathway given wins, even on a later call
    assert course["updatedAt"] == "2026-01-02T00:00:00.000Z"


def test_completion_rollup_issues_exactly_one_badge(
    store: Store, ddb: Any, settings: Settings, catalog: Catalog
) -> None:
    complete_all(store, FOUNDATIONS, catalog)
    complete_all(store, FOUNDATIONS, catalog)  # re-sends converge
    store.accept_course_completion(SUB, FOUNDATIONS)
    course = item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#{FOUNDATIONS}")
    assert course is not None and course["status"] == "completed"
    last = item(
        ddb, settings.progress_table, f"USER#{SUB}#COURSE#{FOUNDATIONS}", "MODULE#fabric-operations-foundations-recap"
    )
    assert last is not None and course["completedAt"] == last["completedAt"]
    badges = store.list_badges(SUB)
    assert len(badges) == 1
    badge = badges[0]
    assert badge["badgeId"] == "nlh-foundations"
    assert badge["SK"] == f"BADGE#nlh-foundations#{badge['issuedAt']}"
    assert badge["metadata"]["criteria"] == "all_modules_completed"
    assert badge["metadata"]["courseSlug"] == FOUNDATIONS
    assert store.course_completion(SUB, FOUNDATIONS) == (4, 4)


def test_pathway_completes_when_all_catalog_courses_do(
    store: Store, ddb: Any, settings: Settings, catalog: Catalog
) -> None:
    complete_all(store, FOUNDATIONS, catalog)
    assert store.pathway_completion(SUB, PATHWAY) == (1, 2)
    assert item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#PATHWAY#{PATHWAY}") is None
    complete_all(store, "network-like-hyperscaler-provisioning", catalog)
    pathway = item(ddb, settings.enrollments_table, f"USER#{SUB}", f"ENROLLMENT#PATHWAY#{PATHWAY}")
    assert pathway is not None and pathway["status"] == "completed" and ISO_MS.match(pathway["completedAt"])
    assert store.pathway_completion(SUB, PATHWAY) == (2, 2)
    assert len(store.list_badges(SUB)) == 2  # the provisioning course gets the default badge id
    assert {b["badgeId"] for b in store.list_badges(SUB)} == {
        "nlh-foundations",
        "course-network-like-hyperscaler-provisioning",
    }


def test_non_catalog_slugs_are_stored_but_never_complete(store: Store, ddb: Any, settings: Settings) -> None:
    store.record_module_event(
        SUB, module_slug="api-test-module-completed", course_slug="api-test-course", pathway_slug=None, completed=True
    )
    course = item(ddb, settings.enrollments_table, f"USER#{SUB}", "ENROLLMENT#api-test-course")
    assert course is not None and course["status"] == "active"
    assert store.course_completion(SUB, "api-test-course") == (0, 0)
    assert store.list_badges(SUB) == []


def test_unresolvable_module_enrolls_only_the_pathway(store: Store, ddb: Any, settings: Settings) -> None:
    store.record_module_event(
        SUB, module_slug="api-test-module-started", course_slug=None, pathway_slug="p", completed=False
    )
    data = store.load_user_data(SUB)
    assert [e["SK"] for e in data.enrollments] == ["ENROLLMENT#PATHWAY#p"]
    assert data.activity is not None and data.progress == {}


def test_quiz_attempts_add_and_first_pass_is_kept(store: Store, ddb: Any, settings: Settings) -> None:
    times = iter(f"2026-01-0{i}T00:00:00.000Z" for i in range(1, 9))
    store.clock = lambda: next(times)
    module = "fabric-operations-foundations-recap"
    store.record_quiz_attempt(SUB, module, 50, False)
    store.record_quiz_attempt(SUB, module, 75, True)
    store.record_quiz_attempt(SUB, module, 100, True)
    row = item(ddb, settings.progress_table, f"USER#{SUB}#COURSE#{FOUNDATIONS}", f"MODULE#{module}")
    assert row is not None
    assert (row["quizScore"], row["quizAttempts"]) == (100, 3)
    assert row["quizPassedAt"] == "2026-01-02T00:00:00.000Z"
    assert row["quizLastAttemptAt"] == "2026-01-03T00:00:00.000Z"
    assert row["completed"] is False and row["started"] is False


def test_missing_table_raises_store_error(ddb: Any, catalog: Catalog) -> None:
    broken = Store(ddb, TableNames("no-users", "no-enrollments", "no-progress", "no-badges"), catalog)
    with pytest.raises(StoreError, match="ResourceNotFoundException") as info:
        broken.enroll_course(SUB, FOUNDATIONS, pathway_slug=None, source=None)
    assert SUB not in str(info.value)  # messages name the operation, never item data
    with pytest.raises(StoreError):
        broken.load_user_data(SUB)


def test_progress_read_state_nests_and_rolls_up_started(store: Store, catalog: Catalog) -> None:
    store.enroll_pathway(SUB, PATHWAY, source="catalog")
    store.record_module_event(
        SUB, module_slug="fabric-operations-how-it-works", course_slug=FOUNDATIONS, pathway_slug=PATHWAY, completed=True
    )
    store.enroll_course(SUB, "course-authoring-101", pathway_slug=None, source=None)
    store.record_page_view(SUB, "module", "authoring-basics")
    body = build_progress_read(store.load_user_data(SUB), catalog)
    pathway = body["progress"][PATHWAY]
    course = pathway["courses"][FOUNDATIONS]
    module = course["modules"]["fabric-operations-how-it-works"]
    assert module["completed"] is True and module["started"] is False and module["started_at"] is None
    assert course["started"] is True and course["started_at"] == module["completed_at"]
    assert pathway["started"] is True and pathway["enrollment_source"] == "catalog"
    # no pathway named, so the course is standalone
    assert set(body["progress"]["courses"]) == {"course-authoring-101"}
    assert body["summary"] == (f"course-authoring-101: 0/2 modules; {FOUNDATIONS}: 1/4 modules; {PATHWAY}: 0/2 courses")
    assert body["last_viewed"]["type"] == "module" and body["last_viewed"]["slug"] == "authoring-basics"
    assert ISO_MS.match(body["updated_at"])
