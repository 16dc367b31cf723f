"""Response shapes of the read routes (SPEC §3.11), computed from store items; pure functions, no I/O.

Kept beside the store because the CRM sync (SPEC §7) must produce exactly the same state and summary.
"""

from __future__ import annotations

from typing import Any

from hhl_backend.content import Catalog
from hhl_backend.store.store import UserData

STANDALONE_KEY = "courses"  # reserved state key for courses not nested under an enrolled pathway
NO_PROGRESS = "No progress yet"


def round_half_up_percent(done: int, total: int) -> int:
    """round-half-up(100 × done / total) in integers (no float or banker's-rounding surprises)."""
    return (200 * done + total) // (2 * total)


def _by_type(enrollments: list[dict[str, Any]], entity: str, slug_key: str) -> dict[str, dict[str, Any]]:
    return {e[slug_key]: e for e in enrollments if e.get("entityType") == entity and e.get(slug_key)}


def _first(stamps: list[str | None]) -> str | None:
    present = [s for s in stamps if s]
    return min(present) if present else None


def _enrollment_flags(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "enrolled": True,
        "enrolled_at": item.get("enrolledAt"),
        "enrollment_source": item.get("enrollmentSource"),
        "completed": item.get("status") == "completed",
        "completed_at": item.get("completedAt"),
    }


def _with_started(node: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    """Course/pathway `started` = any child started or completed; `started_at` = the earliest child start."""
    node["started"] = any(c["started"] or c["completed"] for c in children)
    node["started_at"] = _first([c["started_at"] or c["completed_at"] for c in children])
    return node


def _module_order(course_slug: str, catalog: Catalog, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    course = catalog.courses.get(course_slug)
    order = {slug: i for i, slug in enumerate(course.module_slugs)} if course else {}
    return sorted(rows, key=lambda r: (order.get(r.get("moduleId", ""), len(order)), r.get("moduleId", "")))


def course_node(item: dict[str, Any], rows: list[dict[str, Any]], catalog: Catalog) -> dict[str, Any]:
    modules = {
        r["moduleId"]: {
            "started": bool(r.get("started")),
            "started_at": r.get("startedAt"),
            "completed": bool(r.get("completed")),
            "completed_at": r.get("completedAt"),
        }
        for r in _module_order(item["courseSlug"], catalog, rows)
        if r.get("moduleId")
    }
    node = _with_started(_enrollment_flags(item), list(modules.values()))
    node["modules"] = modules
    return node


def build_progress_state(data: UserData, catalog: Catalog) -> dict[str, Any]:
    """`progress/read.progress`: enrolled pathways (with their nested courses) plus `courses` for standalone ones."""
    pathways = _by_type(data.enrollments, "pathway", "pathwaySlug")
    courses = _by_type(data.enrollments, "course", "courseSlug")
    state: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {p: {} for p in pathways}
    standalone: dict[str, Any] = {}
    for slug in sorted(courses):
        item = courses[slug]
        node = course_node(item, data.progress.get(slug, []), catalog)
        parent = item.get("pathwaySlug")
        nested.get(parent or "", standalone)[slug] = node
    for slug in sorted(pathways):
        node = _with_started(_enrollment_flags(pathways[slug]), list(nested[slug].values()))
        node["courses"] = nested[slug]
        state[slug] = node
    if standalone:
        state[STANDALONE_KEY] = standalone
    return state


def _completed_modules(slug: str, rows: list[dict[str, Any]], catalog: Catalog) -> int:
    course = catalog.courses.get(slug)
    done = {r.get("moduleId") for r in rows if r.get("completed")}
    return len(done & set(course.module_slugs)) if course else len(done)


def build_summary(data: UserData, catalog: Catalog) -> str:
    """`course-a: 2/4 modules; pathway-x: 1/3 courses` (courses then pathways, by slug; `?` = non-catalog total)."""
    pathways = _by_type(data.enrollments, "pathway", "pathwaySlug")
    courses = _by_type(data.enrollments, "course", "courseSlug")
    parts = []
    for slug in sorted(courses):
        course = catalog.courses.get(slug)
        total = str(len(course.modules)) if course else "?"
        parts.append(f"{slug}: {_completed_modules(slug, data.progress.get(slug, []), catalog)}/{total} modules")
    completed = {slug for slug, item in courses.items() if item.get("status") == "completed"}
    for slug in sorted(pathways):
        pathway = catalog.pathways.get(slug)
        if pathway:
            parts.append(f"{slug}: {sum(1 for c in pathway.courses if c in completed)}/{len(pathway.courses)} courses")
        else:
            members = {c for c, item in courses.items() if item.get("pathwaySlug") == slug}
            parts.append(f"{slug}: {len(members & completed)}/? courses")
    return "; ".join(parts) if parts else NO_PROGRESS


def build_progress_read(data: UserData, catalog: Catalog) -> dict[str, Any]:
    activity = data.activity or {}
    return {
        "mode": "authenticated",
        "progress": build_progress_state(data, catalog),
        "updated_at": activity.get("progressUpdatedAt"),
        "summary": build_summary(data, catalog),
        "last_viewed": {
            "type": activity.get("lastViewedType"),
            "slug": activity.get("lastViewedSlug"),
            "at": activity.get("lastViewedAt"),
        },
    }


def _aggregate(
    started: int, completed: int, item: dict[str, Any] | None, done: int, total: int | None
) -> dict[str, Any]:
    return {
        "mode": "authenticated",
        "started": started,
        "completed": completed,
        "enrolled": item is not None,
        "enrolled_at": item.get("enrolledAt") if item else None,
        "total": total,
        "percentage": round_half_up_percent(done, total) if total else None,
    }


def course_aggregate(slug: str, data: UserData, catalog: Catalog) -> dict[str, Any]:
    rows = data.progress.get(slug, [])
    course = catalog.courses.get(slug)
    return _aggregate(
        started=sum(1 for r in rows if r.get("started")),
        completed=sum(1 for r in rows if r.get("completed")),
        item=_by_type(data.enrollments, "course", "courseSlug").get(slug),
        done=_completed_modules(slug, rows, catalog),
        total=len(course.modules) if course else None,
    )


def pathway_aggregate(slug: str, data: UserData, catalog: Catalog) -> dict[str, Any]:
    """Counts over the courses enrolled under the pathway plus its catalog courses."""
    courses = _by_type(data.enrollments, "course", "courseSlug")
    pathway = catalog.pathways.get(slug)
    catalog_courses = pathway.courses if pathway else ()
    members = {c for c, item in courses.items() if item.get("pathwaySlug") == slug} | set(catalog_courses)
    completed = {c for c in members if courses.get(c, {}).get("status") == "completed"}
    started = {c for c in members if any(r.get("started") or r.get("completed") for r in data.progress.get(c, []))}
    return _aggregate(
        started=len(started),
        completed=len(completed),
        item=_by_type(data.enrollments, "pathway", "pathwaySlug").get(slug),
        done=len(completed & set(catalog_courses)),
        total=len(catalog_courses) if pathway else None,
    )


def _sort_key(entry: dict[str, Any]) -> tuple[bool, str, str]:
    # Sorted by enrolled_at then slug; entries without a timestamp last.
    return (entry["enrolled_at"] is None, entry["enrolled_at"] or "", entry["slug"])


def build_enrollment_list(enrollments: list[dict[str, Any]]) -> dict[str, Any]:
    pathways = [
        {"slug": slug, "enrolled_at": e.get("enrolledAt"), "enrollment_source": e.get("enrollmentSource")}
        for slug, e in _by_type(enrollments, "pathway", "pathwaySlug").items()
    ]
    courses = [
        {
            "slug": slug,
            "pathway_slug": e.get("pathwaySlug"),
            "enrolled_at": e.get("enrolledAt"),
            "enrollment_source": e.get("enrollmentSource"),
        }
        for slug, e in _by_type(enrollments, "course", "courseSlug").items()
    ]
    return {
        "mode": "authenticated",
        "enrollments": {"pathways": sorted(pathways, key=_sort_key), "courses": sorted(courses, key=_sort_key)},
    }
