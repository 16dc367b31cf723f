"""`crm.properties.exist` (SPEC §7, §10): every property of the registry exists in the portal with its type, and
the rollout checklist names no property the registry lacks (the real rollout's checklist named ones that did not
exist). Read-only."""

from __future__ import annotations

import re

import pytest

from checks.crm import registry
from checks.crm.hubspot import HubSpotReader
from checks.evidence import Evidence
from environments import Environment
from reports.checklist import checklist_sections
from suites.api.helpers import require

# A property-like name in checklist text: `snake_case` inside backticks with at least one underscore.
_PROPERTY_LIKE = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`")


def checklist_crm_names(env: Environment) -> set[str]:
    """The property-like names the rendered checklist's CRM section uses."""
    sections = dict(checklist_sections(env.public_dict()))
    return {name for item in sections.get("CRM", []) for name in _PROPERTY_LIKE.findall(item.text)}


@pytest.mark.check("crm.properties.exist")
def test_properties_exist(hubspot: HubSpotReader, env: Environment, evidence: Evidence) -> None:
    definitions = hubspot.property_definitions()
    expected = {p.name: p.type for p in registry.PROPERTIES}
    actual = {name: (definitions.get(name) or {}).get("type") for name in expected}
    missing = sorted(name for name, kind in actual.items() if kind is None)
    wrong = sorted(
        f"{name}: {actual[name]} (expected {kind})"
        for name, kind in expected.items()
        if actual[name] not in (None, kind)
    )
    for prop in registry.PROPERTIES:
        group = (definitions.get(prop.name) or {}).get("groupName")
        if group is not None and group != prop.group:
            evidence.note(f"{prop.name} is in group {group!r}, the registry says {prop.group!r}")
    foreign = sorted(checklist_crm_names(env) - set(registry.names()))
    evidence.record(
        expected={"properties": expected, "checklist_names_outside_registry": []},
        actual={
            "properties": actual,
            "missing": missing,
            "wrong_type": wrong,
            "checklist_names_outside_registry": foreign,
        },
    )
    require(
        not missing and not wrong,
        f"HubSpot contact properties differ from the registry: missing {missing}, wrong type {wrong}",
    )
    require(not foreign, f"the rollout checklist names properties the registry lacks: {foreign}")
