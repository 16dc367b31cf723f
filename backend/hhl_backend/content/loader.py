"""Load the JSON catalog from disk and validate it against SPEC §5; every problem found is reported at once.

The backend refuses to start on a bad catalog (SPEC §3.1), so messages name the file and the field path.
Hand-written rather than pydantic: the Lambda zip carries only the backend's runtime dependencies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hhl_backend.content.model import (
    DEFAULT_PASSING_SCORE,
    QUESTION_TYPES,
    SLUG_RE,
    Badge,
    Catalog,
    Course,
    Module,
    Pathway,
    Question,
    Quiz,
    is_slug,
)

DEFAULT_DIRECTORY = Path(__file__).resolve().parent
KINDS = ("courses", "pathways", "quizzes")


class CatalogError(ValueError):
    """The catalog is missing or invalid; `problems` lists each finding as `<file>: <path>: <what>`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Invalid content catalog: " + "; ".join(problems))


class _Problems:
    """Collects findings so that one load reports every problem, not just the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(obj: dict[str, Any], key: str, where: str, problems: _Problems) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{where}.{key}", "must be a non-empty string")
        return ""
    return value


def _slug(obj: dict[str, Any], key: str, where: str, problems: _Problems) -> str:
    value = obj.get(key)
    if not is_slug(value):
        problems.add(f"{where}.{key}", f"must match {SLUG_RE.pattern}")
        return str(value)
    return value


def _list(obj: dict[str, Any], key: str, where: str, problems: _Problems) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list) or not value:
        problems.add(f"{where}.{key}", "must be a non-empty list")
        return []
    return value


def _parse_course(doc: dict[str, Any], where: str, problems: _Problems) -> Course:
    modules = []
    for i, raw in enumerate(_list(doc, "modules", where, problems)):
        at = f"{where}.modules[{i}]"
        if not isinstance(raw, dict):
            problems.add(at, "must be an object")
            continue
        modules.append(Module(_slug(raw, "slug", at, problems), _text(raw, "title", at, problems)))
    badge = None
    if "badge" in doc:
        raw_badge = doc["badge"]
        if isinstance(raw_badge, dict):
            at = f"{where}.badge"
            badge = Badge(
                _text(raw_badge, "id", at, problems),
                _text(raw_badge, "title", at, problems),
                _text(raw_badge, "description", at, problems),
            )
        else:
            problems.add(f"{where}.badge", "must be an object")
    return Course(_slug(doc, "slug", where, problems), _text(doc, "title", where, problems), tuple(modules), badge)


def _parse_pathway(doc: dict[str, Any], where: str, problems: _Problems) -> Pathway:
    courses = []
    for i, raw in enumerate(_list(doc, "courses", where, problems)):
        if not is_slug(raw):
            problems.add(f"{where}.courses[{i}]", f"must match {SLUG_RE.pattern}")
        elif raw in courses:
            problems.add(f"{where}.courses[{i}]", f"duplicate course {raw!r}")
        else:
            courses.append(raw)
    return Pathway(_slug(doc, "slug", where, problems), _text(doc, "title", where, problems), tuple(courses))


def _parse_answer(raw: dict[str, Any], qtype: str, at: str, problems: _Problems) -> str | tuple[str, ...]:
    answer = raw.get("correct_answer")
    if qtype == "multi":
        if not isinstance(answer, list) or not answer or not all(isinstance(a, str) for a in answer):
            problems.add(f"{at}.correct_answer", "must be a non-empty list of strings for a multi question")
            return ()
        return tuple(answer)
    if not isinstance(answer, str):
        problems.add(f"{at}.correct_answer", f"must be a string for a {qtype} question")
        return ""
    return answer


def _parse_question(raw: dict[str, Any], at: str, problems: _Problems) -> Question:
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        problems.add(f"{at}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
        qtype = "text"
    points = raw.get("points", 1)
    if not _is_int(points) or points < 1:
        problems.add(f"{at}.points", "must be an integer >= 1")
        points = 1
    options = raw.get("options")
    if options is not None and not (isinstance(options, list) and all(isinstance(o, str) for o in options)):
        problems.add(f"{at}.options", "must be a list of strings")
        options = None
    return Question(
        id=_text(raw, "id", at, problems),
        prompt=_text(raw, "prompt", at, problems),
        type=qtype,
        correct_answer=_parse_answer(raw, qtype, at, problems),
        points=points,
        options=tuple(options) if options is not None else None,
    )


def _parse_quiz(doc: dict[str, Any], where: str, problems: _Problems) -> Quiz:
    passing = doc.get("passing_score", DEFAULT_PASSING_SCORE)
    if not _is_int(passing) or not 0 <= passing <= 100:
        problems.add(f"{where}.passing_score", "must be an integer between 0 and 100")
        passing = DEFAULT_PASSING_SCORE
    questions: list[Question] = []
    for i, raw in enumerate(_list(doc, "questions", where, problems)):
        at = f"{where}.questions[{i}]"
        if not isinstance(raw, dict):
            problems.add(at, "must be an object")
            continue
        question = _parse_question(raw, at, problems)
        if question.id and any(q.id == question.id for q in questions):
            problems.add(f"{at}.id", f"duplicate question id {question.id!r}")
        questions.append(question)
    return Quiz(
        module_slug=_slug(doc, "module_slug", where, problems),
        quiz_ref=_text(doc, "quiz_ref", where, problems),
        questions=tuple(questions),
        passing_score=passing,
    )


_PARSERS = {"courses": _parse_course, "pathways": _parse_pathway, "quizzes": _parse_quiz}


def _read_kind(directory: Path, kind: str, problems: _Problems) -> list[tuple[str, Any]]:
    """Parse every `<kind>/*.json` in name order; each item is (file label, parsed object)."""
    folder = directory / kind
    if not folder.is_dir():
        problems.add(kind, f"directory missing under {directory}")
        return []
    parsed = []
    for path in sorted(folder.glob("*.json")):
        label = f"{kind}/{path.name}"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.add(label, f"unreadable JSON ({exc})")
            continue
        if not isinstance(doc, dict):
            problems.add(label, "must contain a JSON object")
            continue
        parsed.append((label, _PARSERS[kind](doc, label, problems)))
    return parsed


def _index(
    items: list[tuple[str, Any]], key: str, kind: str, problems: _Problems, labels: dict[tuple[str, str], str]
) -> dict[str, Any]:
    """Slug → item; `labels` remembers each item's file so that reference errors can name it."""
    index: dict[str, Any] = {}
    for label, item in items:
        slug = getattr(item, key)
        if slug in index:
            problems.add(label, f"duplicate {kind} slug {slug!r}")
        else:
            index[slug] = item
            labels[(kind, slug)] = label
    return index


def _check_references(catalog: Catalog, problems: _Problems, labels: dict[tuple[str, str], str]) -> None:
    owner: dict[str, str] = {}
    for course in catalog.courses.values():
        for module in course.modules:
            if module.slug in owner:
                problems.add(
                    labels[("course", course.slug)],
                    f"module {module.slug!r} is already in course {owner[module.slug]!r} (each module in exactly one)",
                )
            else:
                owner[module.slug] = course.slug
    for pathway in catalog.pathways.values():
        for course_slug in pathway.courses:
            if course_slug not in catalog.courses:
                problems.add(labels[("pathway", pathway.slug)], f"references unknown course {course_slug!r}")
    for quiz in catalog.quizzes.values():
        if quiz.module_slug not in owner:
            problems.add(labels[("quiz", quiz.module_slug)], f"targets unknown module {quiz.module_slug!r}")


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate the catalog under `directory` (default: the one packaged here); raise CatalogError."""
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    problems = _Problems()
    if not root.is_dir():
        raise CatalogError([f"{root}: catalog directory does not exist"])
    raw = {kind: _read_kind(root, kind, problems) for kind in KINDS}
    labels: dict[tuple[str, str], str] = {}
    catalog = Catalog(
        courses=_index(raw["courses"], "slug", "course", problems, labels),
        pathways=_index(raw["pathways"], "slug", "pathway", problems, labels),
        quizzes=_index(raw["quizzes"], "module_slug", "quiz", problems, labels),
    )
    _check_references(catalog, problems, labels)
    if problems.items:
        raise CatalogError(problems.items)
    return catalog
