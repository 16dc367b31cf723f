"""Key layout of the four tables (SPEC §4.2–§4.4) and the one timestamp format every item uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PROFILE_SK = "PROFILE"
ACTIVITY_SK = "ACTIVITY"
ENROLLMENT_PREFIX = "ENROLLMENT#"
PATHWAY_ENROLLMENT_PREFIX = "ENROLLMENT#PATHWAY#"
BADGE_PREFIX = "BADGE#"
MODULE_PREFIX = "MODULE#"


def now_iso() -> str:
    """ISO-8601 UTC with milliseconds and `Z` (SPEC §3.11); lexical order = time order, so min()/max() work."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user_pk(sub: str) -> str:
    return f"USER#{sub}"


def course_enrollment_key(sub: str, course: str) -> dict[str, str]:
    return {"PK": user_pk(sub), "SK": f"{ENROLLMENT_PREFIX}{course}"}


def pathway_enrollment_key(sub: str, pathway: str) -> dict[str, str]:
    # Cannot collide with a course SK: slugs never contain `#`.
    return {"PK": user_pk(sub), "SK": f"{PATHWAY_ENROLLMENT_PREFIX}{pathway}"}


def progress_pk(sub: str, course: str) -> str:
    return f"USER#{sub}#COURSE#{course}"


def progress_key(sub: str, course: str, module: str) -> dict[str, str]:
    return {"PK": progress_pk(sub, course), "SK": f"{MODULE_PREFIX}{module}"}


def course_enrollment_base(sub: str, course: str) -> dict[str, Any]:
    """Attributes fixed by a course enrollment's key: every writer may SET them (same values), so that whichever
    writer comes first creates a whole item. First-write-wins attributes (enrolledAt...) are the caller's."""
    return {
        "entityType": "course",
        "userId": sub,
        "courseSlug": course,
        "GSI1PK": f"COURSE#{course}",
        "GSI1SK": user_pk(sub),
    }


def pathway_enrollment_base(sub: str, pathway: str) -> dict[str, Any]:
    return {
        "entityType": "pathway",
        "userId": sub,
        "pathwaySlug": pathway,
        "GSI1PK": f"PATHWAY#{pathway}",
        "GSI1SK": user_pk(sub),
    }


@dataclass(frozen=True)
class TableNames:
    users: str
    enrollments: str
    progress: str
    badges: str
