"""The harness's HubSpot reader, stand-in hooks client and CRM preflight against the sandbox stand-in served on a
loopback port: the reads, one user one contact, the token never written, the scoped faults and ledgers, and the
preflight's three environment errors (good portal, rejected token, a web page where HubSpot should be)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from checks.crm import registry
from checks.crm.hubspot import HubSpotReader
from checks.crm.standin import StandinHooks
from checks.errors import HarnessError, TargetMismatch
from checks.evidence import Evidence
from environments import load_environment
from sandbox.hubspot import create_hubspot_app
from sandbox.ports import free_port
from sandbox.servers import ThreadedServer, start_all, stop_all
from suites.crm.test_target import test_portal_identity as portal_identity

TOKEN = "pat-na1-harness-test-0123456789"  # the stand-in's bearer for these tests only
EMAIL = "crm-reader@example.com"


def _serve(app: Starlette) -> Iterator[str]:
    server = ThreadedServer("crm-test", app, free_port())
    start_all([server])
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        stop_all([server])


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    yield from _serve(create_hubspot_app(token=TOKEN))


@pytest.fixture(scope="module")
def web_page() -> Iterator[str]:
    page = HTMLResponse("<!doctype html><html><body>hs_cos_wrapper 404</body></html>", status_code=404)
    yield from _serve(Starlette(routes=[Route("/{path:path}", lambda request: page)]))


@pytest.fixture
def evidence(tmp_path: Path) -> Evidence:
    return Evidence(tmp_path, "crm.test")


def _written(evidence: Evidence) -> str:
    return "\n".join(p.read_text() for p in sorted(evidence.directory.glob("*")) if p.is_file())


def test_reader_reads_definitions_and_the_one_contact_without_writing_the_token(
    portal: str, evidence: Evidence
) -> None:
    with StandinHooks(portal) as hooks, HubSpotReader(portal, TOKEN, evidence=evidence) as hubspot:
        definitions = hubspot.property_definitions()
        assert {p.name: p.type for p in registry.PROPERTIES} == {
            p.name: definitions[p.name]["type"] for p in registry.PROPERTIES
        }
        assert hubspot.contact(EMAIL, ["hhl_enrolled_courses"]) is None
        seeded = hooks.seed_contact({"email": EMAIL, "hhl_enrolled_courses": "a;b"})
        contact = hubspot.contact(EMAIL.upper(), ["hhl_enrolled_courses"])  # HubSpot matches case-insensitively
        assert contact is not None and contact.id == str(seeded["id"]) and contact.get("hhl_enrolled_courses") == "a;b"
        assert hubspot.property_definition("hhl_no_such_property").status == 404
    written = _written(evidence)
    assert (
        re.search(r"(?i)authorization: Bearer \[REDACTED\]", written) and TOKEN not in written and EMAIL not in written
    )


def test_hooks_plant_scoped_faults_and_read_the_ledger(portal: str, evidence: Evidence) -> None:
    email = "crm-faults@example.com"
    with StandinHooks(portal, evidence=evidence) as hooks, HubSpotReader(portal, TOKEN) as hubspot:
        hooks.fault(email, status=500, count=1)
        first = hubspot.search(email, [])
        assert first.status == 500
        assert hubspot.search("someone-else@example.com", []).status == 200  # scoped to that email only
        assert [entry["status"] for entry in hooks.requests(email)] == [500]
        hooks.fault(email, status=500, count=3)
        hooks.clear_faults(email)
        assert hubspot.search(email, []).status == 200
        assert hooks.contacts(email) == []
        with pytest.raises(HarnessError, match="expected 200/201 JSON"):
            hooks.fault(email, status=418, count=1)  # the stand-in refuses an unknown fault kind


def test_preflight_passes_on_the_portal(portal: str, evidence: Evidence) -> None:
    env = load_environment("dev", environ={})
    with HubSpotReader(portal, TOKEN, evidence=evidence) as hubspot:
        portal_identity(hubspot, env, evidence)
    assert evidence.actual["status"] == 200


def test_preflight_names_the_token_variable_when_the_token_is_rejected(portal: str, evidence: Evidence) -> None:
    env = load_environment("dev", environ={})
    hubspot = HubSpotReader(portal, "pat-na1-wrong-token-000", evidence=evidence)
    with hubspot, pytest.raises(TargetMismatch, match="HubSpot rejected the private-app token") as caught:
        portal_identity(hubspot, env, evidence)
    assert caught.value.env_key == "HHL_HUBSPOT_TOKEN"


def test_preflight_names_crm_base_url_when_a_web_page_answers(web_page: str, evidence: Evidence) -> None:
    env = load_environment("dev", environ={})
    hubspot = HubSpotReader(web_page, TOKEN, evidence=evidence)
    with hubspot, pytest.raises(TargetMismatch, match="does not answer as the HubSpot CRM API") as caught:
        portal_identity(hubspot, env, evidence)
    assert caught.value.env_key == "crm.base_url"
