"""The packaged catalog matches SPEC §5's table, and the validator rejects each rule's violation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hhl_backend.content import DEFAULT_DIRECTORY, CatalogError, load_catalog

FOUNDATIONS = "network-like-hyperscaler-foundations"
PROVISIONING = "network-like-hyperscaler-provisioning"
GETTING_STARTED = "pathways/getting-started.json"


def test_default_catalog_matches_spec_table() -> None:
    catalog = load_catalog()
    assert set(catalog.pathways) == {"network-like-hyperscaler", "getting-started"}
    assert catalog.pathways["network-like-hyperscaler"].courses == (FOUNDATIONS, PROVISIONING)
    assert catalog.pathways["getting-started"].courses == ("course-authoring-101",)
    assert catalog.courses[FOUNDATIONS].module_slugs == (
        "fabric-operations-welcome",
        "fabric-operations-how-it-works",
        "fabric-operations-mastering-interfaces",
        "fabric-operations-foundations-recap",
    )
    assert catalog.courses["network-like-hyperscaler-provisioning"].module_slugs == (
        "fabric-operations-vpc-provisioning",
        "fabric-operations-vpc-attachments",
    )
    assert catalog.courses["course-authoring-101"].module_slugs == ("authoring-basics", "authoring-media-and-metadata")
    assert sum(len(c.modules) for c in catalog.courses.values()) == 8
    recap = catalog.quizzes["fabric-operations-foundations-recap"]
    assert [q.points for q in recap.questions] == [1, 1, 2]
    assert recap.passing_score == 75
    basics = catalog.quizzes["authoring-basics"]
    assert [q.type for q in basics.questions] == ["single", "single"]
    assert basics.passing_score == 100
    assert set(catalog.quizzes) == {"fabric-operations-foundations-recap", "authoring-basics"}


def test_reverse_lookups() -> None:
    catalog = load_catalog()
    assert catalog.course_of_module("fabric-operations-vpc-attachments") == "network-like-hyperscaler-provisioning"
    assert catalog.course_of_module("api-test-module-started") is None
    assert catalog.pathways_of_course(FOUNDATIONS) == ("network-like-hyperscaler",)
    assert catalog.pathways_of_course("api-test-course") == ()
    assert catalog.courses[PROVISIONING].badge_id == f"course-{PROVISIONING}"
    assert catalog.courses[FOUNDATIONS].badge_id == "nlh-foundations"


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A writable copy of the packaged catalog, to break one rule at a time."""
    target = tmp_path / "content"
    for kind in ("courses", "pathways", "quizzes"):
        shutil.copytree(DEFAULT_DIRECTORY / kind, target / kind)
    return target


def _edit(directory: Path, relative: str, change: Any) -> None:
    path = directory / relative
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def _write(directory: Path, relative: str, doc: Any) -> None:
    (directory / relative).write_text(json.dumps(doc))


COURSE = f"courses/{FOUNDATIONS}.json"
RECAP = "quizzes/fabric-operations-foundations-recap.json"


@pytest.mark.parametrize(
    ("relative", "change", "expected"),
    [
        (COURSE, lambda d: d.update(slug="Bad_Slug"), "slug: must match"),
        (COURSE, lambda d: d["modules"][0].update(slug="has#hash"), "modules[0].slug: must match"),
        (COURSE, lambda d: d.update(modules=[]), "modules: must be a non-empty list"),
        (COURSE, lambda d: d.update(title=""), "title: must be a non-empty string"),
        (COURSE, lambda d: d.update(badge="x"), "badge: must be an object"),
        (GETTING_STARTED, lambda d: d.update(courses=["no-such-course"]), "unknown course 'no-such-course'"),
        (GETTING_STARTED, lambda d: d.update(slug="x" * 201), "slug: must match"),
        (
            GETTING_STARTED,
            lambda d: d.update(courses=["course-authoring-101", "course-authoring-101"]),
            "duplicate course",
        ),
        (RECAP, lambda d: d.update(module_slug="not-a-module"), "targets unknown module 'not-a-module'"),
        (RECAP, lambda d: d.update(questions=[]), "questions: must be a non-empty list"),
        (RECAP, lambda d: d["questions"][1].update(id="q1"), "duplicate question id 'q1'"),
        (RECAP, lambda d: d["questions"][0].update(points=0), "points: must be an integer >= 1"),
        (RECAP, lambda d: d["questions"][0].update(points=1.5), "points: must be an integer >= 1"),
        (RECAP, lambda d: d["questions"][0].update(points=True), "points: must be an integer >= 1"),
        (RECAP, lambda d: d.update(passing_score=101), "passing_score: must be an integer between 0 and 100"),
        (RECAP, lambda d: d.update(passing_score=-1), "passing_score: must be an integer between 0 and 100"),
        (RECAP, lambda d: d["questions"][0].update(type="essay"), "type: must be one of"),
        (RECAP, lambda d: d["questions"][1].update(correct_answer="x"), "must be a non-empty list of strings"),
        (RECAP, lambda d: d["questions"][0].update(correct_answer=["BGP"]), "must be a string for a single question"),
    ],
)
def test_each_rule_is_enforced(catalog_dir: Path, relative: str, change: Any, expected: str) -> None:
    _edit(catalog_dir, relative, change)
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_dir)
    assert expected in str(info.value)
    assert relative in str(info.value)


def test_module_in_two_courses_is_rejected(catalog_dir: Path) -> None:
    _write(
        catalog_dir,
        "courses/extra.json",
        {"slug": "extra", "title": "Extra", "modules": [{"slug": "authoring-basics", "title": "Dup"}]},
    )
    with pytest.raises(CatalogError, match="'authoring-basics' is already in course"):
        load_catalog(catalog_dir)


def test_duplicate_course_slug_is_rejected(catalog_dir: Path) -> None:
    shutil.copy(catalog_dir / "courses/course-authoring-101.json", catalog_dir / "courses/zz-copy.json")
    with pytest.raises(CatalogError, match="duplicate course slug 'course-authoring-101'"):
        load_catalog(catalog_dir)


def test_unreadable_and_non_object_files_are_named(catalog_dir: Path) -> None:
    (catalog_dir / "courses/broken.json").write_text("{not json")
    _write(catalog_dir, "pathways/list.json", [1, 2])
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_dir)
    assert "courses/broken.json: unreadable JSON" in str(info.value)
    assert "pathways/list.json: must contain a JSON object" in str(info.value)
    assert len(info.value.problems) == 2  # every problem reported at once


def test_missing_directories(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "nope")
    with pytest.raises(CatalogError, match="courses: directory missing"):
        load_catalog(tmp_path)
