"""The packaged content catalog (SPEC §5): JSON files beside this module, loaded and validated at start-up.

>>> from hhl_backend.content import load_catalog
>>> catalog = load_catalog()
>>> catalog.course_of_module("fabric-operations-welcome")
'network-like-hyperscaler-foundations'
"""

from __future__ import annotations

from hhl_backend.content.loader import DEFAULT_DIRECTORY, CatalogError, load_catalog
from hhl_backend.content.model import (
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

__all__ = [
    "DEFAULT_DIRECTORY",
    "SLUG_RE",
    "Badge",
    "Catalog",
    "CatalogError",
    "Course",
    "Module",
    "Pathway",
    "Question",
    "Quiz",
    "is_slug",
    "load_catalog",
]
