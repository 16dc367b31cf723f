"""CRM preflight (SPEC §10): prove that `crm.base_url` answers as HubSpot's CRM API and accepts the env's token
before any other crm check runs. A failure here blocks every crm check and is the run's one environment error
(the URL, what answered, the env key or variable to fix)."""

from __future__ import annotations

import pytest

from checks.crm.hubspot import PROPERTIES_PATH, HubSpotReader, is_property_definition
from checks.errors import TargetMismatch
from checks.evidence import Evidence
from checks.http import Response
from environments import Environment
from suites.crm.conftest import token_source

# Every portal has it (a HubSpot default property): the read proves the portal, not our provisioning.
PROBE_PROPERTY = "email"


def _mismatch(summary: str, response: Response, env: Environment, env_key: str) -> TargetMismatch:
    where = env.source_file + (f" (filled from the sandbox state {env.sandbox.state_file})" if env.sandbox else "")
    return TargetMismatch(summary, url=response.url, answered=response.describe(), env_key=env_key, env_file=where)


@pytest.mark.check("crm.target.portal_identity")
def test_portal_identity(hubspot: HubSpotReader, env: Environment, evidence: Evidence) -> None:
    probe = hubspot.property_definition(PROBE_PROPERTY)
    body = probe.json_or_none()
    evidence.record(
        expected={"status": 200, "body": {"name": PROBE_PROPERTY, "type": "string", "fieldType": "…"}},
        actual={"status": probe.status, "content_type": probe.content_type, "body": body},
    )
    if probe.status == 401:
        raise _mismatch("HubSpot rejected the private-app token", probe, env, token_source(env))
    # Not Response.looks_like_html: its CMS markers include "hubspot", which HubSpot's own JSON carries.
    if probe.content_type == "text/html" or not isinstance(body, dict):
        raise _mismatch(
            "crm.base_url does not answer as the HubSpot CRM API (a web page or no JSON)", probe, env, "crm.base_url"
        )
    if probe.status != 200 or not is_property_definition(body) or body.get("name") != PROBE_PROPERTY:
        raise _mismatch(
            f"crm.base_url does not answer GET {PROPERTIES_PATH}/{PROBE_PROPERTY} as HubSpot (200 definition)",
            probe,
            env,
            "crm.base_url",
        )
