"""crm/projection.py: the properties recomputed from DynamoDB equal what `progress/read` answers, dates are UTC
days, unknown values are omitted, and the registry is the only source of names."""

from __future__ import annotations

import json

import pytest
from hhl_backend.crm import registry
from hhl_backend.crm.projection import COMPLETED, ENROLLED, completed_modules, project
from hhl_backend.crm.values import iso_instant, registry_only, union_set, utc_date
from hhl_backend.store import Store
from starlette.testclient import TestClient

from tests.backend.crm.values import SUB

FOUNDATIONS = "network-like-hyperscaler-foundations"
PATHWAY = "network-like-hyperscaler"


def _rich_history(store: Store) -> None:
    store.enroll_pathway(SUB, PATHWAY, source="catalog")
    store.enroll_course(SUB, FOUNDATIONS, pathway_slug=PATHWAY, source="catalog")
    for module in store.catalog.courses[FOUNDATIONS].module_slugs:
        store.record_module_event(SUB, module_slug=module, course_slug=None, pathway_slug=PATHWAY, completed=True)
    store.record_module_event(SUB, module_slug="authoring-basics", course_slug=None, pathway_slug=None, completed=False)
    store.record_module_event(
        SUB, module_slug="api-test-module-completed", course_slug="api-test-course", pathway_slug=None, completed=True
    )
    store.record_page_view(SUB, "pathway", PATHWAY)


def test_state_and_summary_equal_progress_read(api: TestClient, store: Store, learner: str) -> None:
    _rich_history(store)
    read = api.get("/progress/read").json()
    projection = project(store, SUB)
    assert json.loads(projection.values["hhl_progress_state"]) == read["progress"]
    assert projection.values["hhl_progress_summary"] == read["summary"]
    assert projection.values["hhl_progress_updated_at"] == read["updated_at"][:10]
    assert projection.values["hhl_last_viewed_type"] == read["last_viewed"]["type"] == "pathway"
    assert projection.values["hhl_last_viewed_slug"] == PATHWAY
    assert projection.values["hhl_last_viewed_at"] == read["last_viewed"]["at"]
    modules = len(store.catalog.courses[FOUNDATIONS].module_slugs)
    assert projection.values["hhl_total_progress"] == str(modules + 1)  # + the non-catalog completed module
    assert projection.sets[ENROLLED] == {FOUNDATIONS, "course-authoring-101", "api-test-course"}
    assert projection.sets[COMPLETED] == {FOUNDATIONS}
    assert projection.email == "Ada@Example.test" and projection.contact_id is None


def test_a_new_learner_has_no_dates_or_total(store: Store, learner: str) -> None:
    projection = project(store, SUB)
    assert projection.values == {"hhl_progress_state": "{}", "hhl_progress_summary": "No progress yet"}
    assert projection.sets == {ENROLLED: frozenset(), COMPLETED: frozenset()}


def test_a_badge_proves_completion(store: Store, learner: str) -> None:
    store.db.put(
        store.tables.badges,
        {
            "PK": f"USER#{SUB}",
            "SK": "BADGE#b#2026-01-01T00:00:00.000Z",
            "userId": SUB,
            "badgeId": "b",
            "metadata": {"courseSlug": "course-authoring-101"},
        },
    )
    assert project(store, SUB).sets[COMPLETED] == {"course-authoring-101"}


def test_every_projected_name_is_in_the_registry(store: Store, learner: str) -> None:
    _rich_history(store)
    projection = project(store, SUB)
    names = set(registry.names())
    assert set(projection.values) | set(projection.sets) <= names
    assert set(projection.values) | set(projection.sets) == names  # a full history fills every property
    assert set(projection.sets) == set(registry.NEVER_SHRINK)


def test_completed_modules_counts_nested_and_standalone_courses() -> None:
    module = {"completed": True}
    state = {
        PATHWAY: {"courses": {"a": {"modules": {"m1": module, "m2": {"completed": False}}}}},
        "courses": {"b": {"modules": {"m3": module}}},
    }
    assert completed_modules(state) == 2
    assert completed_modules({}) == 0


@pytest.mark.parametrize(
    ("stamp", "day", "instant"),
    [
        ("2026-03-01T23:59:59.999Z", "2026-03-01", "2026-03-01T23:59:59.999Z"),
        ("2026-03-01T23:30:00-02:00", "2026-03-02", "2026-03-02T01:30:00.000Z"),
        ("garbage", None, None),
        (None, None, None),
    ],
)
def test_dates_are_utc(stamp: str | None, day: str | None, instant: str | None) -> None:
    assert utc_date(stamp) == day
    assert iso_instant(stamp) == instant


def test_union_and_registry_only() -> None:
    assert union_set("b;a; ;c", ["d", "a", ""]) == "a;b;c;d"
    assert union_set(None, []) == ""
    body = registry_only({"hhl_total_progress": "", "hhl_last_activity": "", "hhl_last_viewed_slug": "", "x": "1"})
    assert body == {"hhl_last_viewed_slug": ""}
