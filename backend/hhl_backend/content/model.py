"""The content catalog's typed model (SPEC §5): courses, pathways and quizzes, immutable once loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeGuard

# SPEC §3.9: `#` is the DynamoDB key delimiter, so slugs can never contain it.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")
QUESTION_TYPES = ("single", "multi", "text")
DEFAULT_PASSING_SCORE = 75


def is_slug(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and SLUG_RE.fullmatch(value) is not None


@dataclass(frozen=True)
class Module:
    slug: str
    title: str


@dataclass(frozen=True)
class Badge:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    modules: tuple[Module, ...]
    badge: Badge | None = None

    @property
    def module_slugs(self) -> tuple[str, ...]:
        return tuple(m.slug for m in self.modules)

    @property
    def badge_id(self) -> str:
        # SPEC §4.6: the catalog's badge id, default `course-<slug>`.
        return self.badge.id if self.badge else f"course-{self.slug}"


@dataclass(frozen=True)
class Pathway:
    slug: str
    title: str
    courses: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    type: str  # single | multi | text
    correct_answer: str | tuple[str, ...]
    points: int = 1
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Quiz:
    module_slug: str
    quiz_ref: str
    questions: tuple[Question, ...]
    passing_score: int = DEFAULT_PASSING_SCORE

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)


@dataclass(frozen=True)
class Catalog:
    courses: dict[str, Course]
    pathways: dict[str, Pathway]
    quizzes: dict[str, Quiz]  # keyed by module slug
    _course_by_module: dict[str, str] = field(init=False, repr=False, compare=False)
    _pathways_by_course: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Reverse indexes computed once: the routes ask these on every event.
        by_module = {m.slug: c.slug for c in self.courses.values() for m in c.modules}
        by_course: dict[str, list[str]] = {}
        for pathway in self.pathways.values():
            for course in pathway.courses:
                by_course.setdefault(course, []).append(pathway.slug)
        object.__setattr__(self, "_course_by_module", by_module)
        object.__setattr__(self, "_pathways_by_course", {k: tuple(v) for k, v in by_course.items()})

    def course_of_module(self, slug: str) -> str | None:
        """The unique catalog course containing module `slug`, or None for a non-catalog module."""
        return self._course_by_module.get(slug)

    def pathways_of_course(self, slug: str) -> tuple[str, ...]:
        """Catalog pathways listing course `slug`, in catalog order."""
        return self._pathways_by_course.get(slug, ())
