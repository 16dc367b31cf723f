"""The CRM property registry (SPEC §7): the one list of HubSpot contact properties the sync writes.

The sync consumer, the property provisioning command, the HubSpot stand-in, the harness's `crm.*` checks and the
rollout checklist all read this module and nothing else, so a property name can never exist in one place only.

    >>> [p.name for p in PROPERTIES if p.group == MILESTONES_GROUP]
    ['hhl_enrolled_courses', 'hhl_completed_courses', 'hhl_total_progress', 'hhl_last_activity']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

PropertyType = Literal["string", "number", "date", "datetime"]
FieldType = Literal["textarea", "text", "number", "date"]

MILESTONES_GROUP = "learning_milestones"
MILESTONES_GROUP_LABEL = "Learning Milestones"
# HubSpot's built-in group for the contact's own fields: the properties outside the milestones group live here.
DEFAULT_GROUP = "contactinformation"


@dataclass(frozen=True)
class CrmProperty:
    """One HubSpot contact property as `POST /crm/v3/properties/contacts` creates it."""

    name: str
    label: str
    type: PropertyType
    field_type: FieldType
    group: str = DEFAULT_GROUP
    form_field: bool = False
    description: str = ""

    def definition(self) -> dict[str, object]:
        """The request body that creates this property in a portal."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group,
            "formField": self.form_field,
            "description": self.description,
        }


PROPERTIES: tuple[CrmProperty, ...] = (
    CrmProperty("hhl_progress_state", "HHL progress state", "string", "textarea", description="JSON of progress/read"),
    CrmProperty("hhl_progress_updated_at", "HHL progress updated", "date", "date"),
    CrmProperty("hhl_progress_summary", "HHL progress summary", "string", "text"),
    CrmProperty("hhl_enrolled_courses", "Enrolled courses", "string", "textarea", group=MILESTONES_GROUP),
    CrmProperty("hhl_completed_courses", "Completed courses", "string", "textarea", group=MILESTONES_GROUP),
    CrmProperty("hhl_total_progress", "Completed modules", "number", "number", group=MILESTONES_GROUP),
    CrmProperty("hhl_last_activity", "Last learning activity", "date", "date", group=MILESTONES_GROUP),
    CrmProperty("hhl_last_viewed_type", "Last viewed content type", "string", "text"),
    CrmProperty("hhl_last_viewed_slug", "Last viewed content", "string", "text"),
    CrmProperty("hhl_last_viewed_at", "Last viewed at", "datetime", "date"),
)

# `;`-joined sorted sets whose new value is the union with the existing one: they never shrink (SPEC §7).
NEVER_SHRINK: tuple[str, ...] = ("hhl_enrolled_courses", "hhl_completed_courses")

# A new contact: HubSpot rejects empty date/number values, so the milestone properties are omitted here.
CREATE_DEFAULTS: dict[str, str] = {
    "lifecyclestage": "lead",
    "hhl_progress_state": "{}",
    "hhl_progress_summary": "No progress yet",
}

_BY_NAME = {prop.name: prop for prop in PROPERTIES}


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def by_name(name: str) -> CrmProperty:
    """The registry entry for `name`; KeyError for a name the registry does not hold."""
    return _BY_NAME[name]
