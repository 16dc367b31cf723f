"""The SPEC §7 property registry, as the harness reads it: a re-export of `hhl_backend.crm.registry`.

The registry is contract data ("checks and checklists read only this list"), so this adapter is the one place the
harness imports backend code (docs/crm-interfaces); the checks and the rollout checklist read names and types here.

>>> "hhl_enrolled_courses" in names()
True
"""

from __future__ import annotations

from hhl_backend.crm.registry import (
    CREATE_DEFAULTS,
    MILESTONES_GROUP,
    MILESTONES_GROUP_LABEL,
    NEVER_SHRINK,
    PROPERTIES,
    CrmProperty,
    PropertyType,
    by_name,
    names,
)

__all__ = [
    "CREATE_DEFAULTS",
    "MILESTONES_GROUP",
    "MILESTONES_GROUP_LABEL",
    "NEVER_SHRINK",
    "PROPERTIES",
    "CrmProperty",
    "PropertyType",
    "by_name",
    "names",
]
