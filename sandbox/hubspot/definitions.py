"""Contact property definitions and groups: HubSpot's defaults plus the SPEC §7 registry, in HubSpot's JSON shape."""

from __future__ import annotations

import re
from typing import Any

from hhl_backend.crm import registry

from sandbox.hubspot.errors import ApiError, bad_request

# type → the field types HubSpot accepts for it (POST /crm/v3/properties/{objectType}).
FIELD_TYPES: dict[str, frozenset[str]] = {
    "string": frozenset({"text", "textarea", "phonenumber", "html", "file"}),
    "number": frozenset({"number", "calculation_equation"}),
    "date": frozenset({"date"}),
    "datetime": frozenset({"date"}),
    "enumeration": frozenset({"select", "radio", "checkbox", "booleancheckbox"}),
    "bool": frozenset({"booleancheckbox"}),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("name", "label", "type", "fieldType", "groupName")

CONTACT_INFORMATION = ("contactinformation", "Contact information")
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
# (name, label, type, fieldType, read-only value): the HubSpot-defined contact properties the stand-in knows.
_HUBSPOT_DEFINED = (
    ("email", "Email", "string", "text", False),
    ("firstname", "First Name", "string", "text", False),
    ("lastname", "Last Name", "string", "text", False),
    ("phone", "Phone Number", "string", "phonenumber", False),
    ("company", "Company Name", "string", "text", False),
    ("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", False),
    ("hs_object_id", "Record ID", "number", "number", True),
    ("createdate", "Create Date", "datetime", "date", True),
    ("lastmodifieddate", "Last Modified Date", "datetime", "date", True),
)
# What GET/search return when no `properties` are asked for, and what every answer carries in any case.
DEFAULT_READ = ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")
ALWAYS_READ = ("createdate", "hs_object_id", "lastmodifieddate")


def group(name: str, label: str, display_order: int = -1) -> dict:
    return {"name": name, "label": label, "displayOrder": display_order, "archived": False}


def definition(body: dict, *, now_iso: str, hubspot_defined: bool = False, read_only: bool = False) -> dict:
    """A full property definition as HubSpot answers it, from a create body (already validated)."""
    return {
        "name": body["name"],
        "label": body["label"],
        "type": body["type"],
        "fieldType": body["fieldType"],
        "description": body.get("description", ""),
        "groupName": body["groupName"],
        "options": list(body.get("options", [])),
        "displayOrder": body.get("displayOrder", -1),
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(body.get("hasUniqueValue", False)),
        "hidden": bool(body.get("hidden", False)),
        "hubspotDefined": hubspot_defined,
        "formField": bool(body.get("formField", False)),
        "modificationMetadata": {
            "archivable": not hubspot_defined,
            "readOnlyDefinition": hubspot_defined,
            "readOnlyValue": read_only,
        },
        "createdAt": now_iso,
        "updatedAt": now_iso,
        "archived": False,
    }


def seeded_groups(*, with_registry: bool = True) -> dict[str, dict]:
    groups = {CONTACT_INFORMATION[0]: group(*CONTACT_INFORMATION, display_order=0)}
    if with_registry:
        groups[registry.MILESTONES_GROUP] = group(registry.MILESTONES_GROUP, registry.MILESTONES_GROUP_LABEL)
    return groups


def seeded_properties(*, now_iso: str, with_registry: bool = True) -> dict[str, dict]:
    """HubSpot's default contact properties, plus every registry property unless `with_registry` is false (a portal
    before the provisioning command ran)."""
    seeded: dict[str, dict] = {}
    for name, label, kind, field_type, read_only in _HUBSPOT_DEFINED:
        body: dict[str, Any] = {
            "name": name,
            "label": label,
            "type": kind,
            "fieldType": field_type,
            "groupName": "contactinformation",
        }
        if name == "lifecyclestage":
            body["options"] = [
                {"label": stage, "value": stage, "displayOrder": order, "hidden": False}
                for order, stage in enumerate(LIFECYCLE_STAGES)
            ]
        seeded[name] = definition(body, now_iso=now_iso, hubspot_defined=True, read_only=read_only)
    if with_registry:
        for prop in registry.PROPERTIES:
            seeded[prop.name] = definition(prop.definition(), now_iso=now_iso)
    return seeded


def validate_new_property(body: object, groups: dict[str, dict]) -> dict:
    """The create body of a property, checked as HubSpot does; ApiError 400 naming the first problem."""
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: the body must be an object")
    missing = [key for key in _REQUIRED if not isinstance(body.get(key), str) or not body[key]]
    if missing:
        raise bad_request(f"Missing required field(s): {', '.join(missing)}")
    name, kind, field_type = body["name"], body["type"], body["fieldType"]
    if not _NAME.match(name):
        raise bad_request(f"Property name {name!r} must start with a letter and hold only a-z, 0-9 and _")
    if kind not in FIELD_TYPES:
        raise bad_request(f"Invalid type {kind!r}; one of {', '.join(sorted(FIELD_TYPES))}")
    if field_type not in FIELD_TYPES[kind]:
        raise bad_request(f"fieldType {field_type!r} is not valid for type {kind!r}")
    if body["groupName"] not in groups:
        raise bad_request(f"Property group {body['groupName']!r} does not exist")
    options = body.get("options", [])
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and isinstance(o.get("value"), str) for o in options
    ):
        raise bad_request("options must be a list of {label, value} objects")
    if kind == "enumeration" and not options:
        raise bad_request("An enumeration property needs options")
    return body


def _valid_options(options: object) -> bool:
    return isinstance(options, list) and all(isinstance(o, dict) and isinstance(o.get("value"), str) for o in options)


def validate_new_group(body: object) -> dict:
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: the body must be an object")
    for key in ("name", "label"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise bad_request(f"Missing required field: {key}")
    if not _NAME.match(body["name"]):
        raise bad_request(f"Group name {body['name']!r} must start with a letter and hold only a-z, 0-9 and _")
    if not isinstance(body.get("displayOrder", -1), int):
        raise bad_request("displayOrder must be an integer")
    return body


def already_exists(kind: str, name: str) -> ApiError:
    return ApiError(409, "OBJECT_ALREADY_EXISTS", f"{kind} named '{name}' already exists.")
