"""Start-up failures of the sandbox composition end in one clear message (no half-started sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import compose
from sandbox.ports import PortInUseError, choose_ports, ensure_free, release, take_reserved


def test_missing_package_zip_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(compose, "DIST_DIR", tmp_path)
    with pytest.raises(compose.SandboxStartError, match="run `make package` first"):
        compose.latest_package_zip()


def test_start_fails_cleanly_without_a_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(compose, "DIST_DIR", tmp_path)
    ports = choose_ports(None)
    with pytest.raises(compose.SandboxStartError, match="no Lambda package"):
        compose.start_sandbox(ports, frozenset())
    for role, port in vars(ports).items():
        release(port)  # the ports this test chose are held by this process until a server takes them
        ensure_free(port, role)  # nothing was left listening


def test_chosen_ports_are_held_until_a_server_takes_them() -> None:
    """A free port that was only probed could be taken (by another sandbox, or as an outgoing connection's local
    port) before its server binds it: the sandbox keeps each chosen port bound until then."""
    ports = choose_ports(None)
    for role, port in vars(ports).items():
        with pytest.raises(PortInUseError):
            ensure_free(port, role)
    held = take_reserved(ports.api)
    assert held is not None and held.getsockname()[1] == ports.api
    held.close()
    ensure_free(ports.api, "api")
    for port in (ports.site, ports.idp, ports.hubspot, ports.aws):
        release(port)
        ensure_free(port, "released")


def test_pinned_ports_in_use_are_named() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} \\(site\\)"):
            choose_ports(port)


def test_each_run_has_its_own_stage_throttle() -> None:
    # Two harness runs on one sandbox: one emptying its stage bucket (load.throttling) never throttles the other.
    from hhl_backend.gateway import GatewayConfig, wrap_with_gateway
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from checks.http import RUN_HEADER
    from tests.sandbox.idp.idp_flow import asgi_request

    backend = Starlette(routes=[Route("/auth/me", lambda _r: JSONResponse({"ok": True}))])
    routes = frozenset({("GET", "/auth/me")})
    # Burst 3, no refill to speak of during the test.
    config = GatewayConfig(route_keys=routes, cors_allow_origins=frozenset(), throttle_burst=3, throttle_rate=0.001)
    stage = compose.StagePerRun(lambda: wrap_with_gateway(backend, config))

    def status(run: str | None) -> int:
        headers = {RUN_HEADER: run} if run else {}
        return asgi_request(stage, "127.0.0.1", "GET", "/auth/me", headers=headers).status_code

    assert [status("run-a") for _ in range(4)] == [200, 200, 200, 429]  # run A empties its own bucket
    assert [status("run-b") for _ in range(3)] == [200, 200, 200]  # run B still has all of its own
    assert status(None) == 200  # untagged traffic (a browser) has the default stage


def test_the_sandbox_consumer_gets_the_deployed_consumers_environment() -> None:
    """compose_crm builds the consumer from the variables the template gives the deployed one (plus moto's endpoint),
    with the stand-in as HubSpot and the token by parameter name."""
    from types import SimpleNamespace

    from hhl_backend.crm.config import load_crm_settings

    from sandbox.aws.template import load_template
    from sandbox.compose_crm import consumer_environ

    tables = {key: f"hedgehog-learn-{key}-local" for key in ("users", "enrollments", "progress", "badges")}
    provisioned = SimpleNamespace(tables=tables, crm_token_parameter="/hedgehog-learn/local/hubspot-token")
    environ = consumer_environ(
        crm_url="http://127.0.0.1:8403", aws_url="http://127.0.0.1:8404", stage="local", provisioned=provisioned
    )
    declared = load_template(compose.TEMPLATE_PATH)["Resources"]["CrmSyncFunction"]["Properties"]
    assert set(environ) == set(declared["Environment"]["Variables"]) - {"LOG_LEVEL"} | {"AWS_ENDPOINT_URL"}
    settings = load_crm_settings(environ)
    assert (settings.hubspot_base_url, settings.token_parameter) == (
        "http://127.0.0.1:8403",
        provisioned.crm_token_parameter,
    )
    assert settings.users_table == tables["users"]


def test_the_consumers_log_lines_go_to_its_own_group() -> None:
    """Records logged on the stream poller's threads are the consumer's; every other one stays the API's."""
    import logging

    from sandbox.aws.stream_poller import THREAD_PREFIX
    from sandbox.compose_crm import ThreadFilter

    def record(thread: str) -> logging.LogRecord:
        line = logging.LogRecord("hhl_backend", logging.INFO, __file__, 1, "x", None, None)
        line.threadName = thread
        return line

    consumer, api = ThreadFilter(keep=True), ThreadFilter(keep=False)
    assert consumer.filter(record(f"{THREAD_PREFIX}users")) and not api.filter(record(f"{THREAD_PREFIX}users"))
    assert api.filter(record("uvicorn-api")) and not consumer.filter(record("uvicorn-api"))


def _standin(faults: frozenset[str]):
    """The sandbox's HubSpot stand-in as build_crm plants `faults` on it, with the token the state hands out."""
    from types import SimpleNamespace

    from starlette.testclient import TestClient

    from sandbox.compose_crm import build_crm, handed_out_token, new_crm_token

    tables = {key: f"hedgehog-learn-{key}-local" for key in ("users", "enrollments", "progress", "badges")}
    provisioned = SimpleNamespace(
        tables=tables,
        crm_token_parameter="/hedgehog-learn/local/hubspot-token",
        crm_function_name="hedgehog-learn-local-crm-sync",
    )
    token = new_crm_token()
    side = build_crm(
        crm_url="http://127.0.0.1:8403",
        aws_url="http://127.0.0.1:8404",
        region="us-east-1",
        stage="local",
        provisioned=provisioned,
        faults=faults,
        token=token,
    )
    handed_out = handed_out_token(token, faults)
    return TestClient(side.app, base_url="http://127.0.0.1"), token, handed_out


@pytest.mark.parametrize("revoked", [False, True], ids=["healthy", "crm.portal_token_revoked"])
def test_the_state_hands_out_the_portals_token_unless_it_is_revoked(revoked: bool) -> None:
    faults = frozenset({"crm.portal_token_revoked"} if revoked else set())
    client, live, handed_out = _standin(faults)

    def status(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/crm/v3/properties/contacts/email", headers=headers).status_code

    assert status(live) == 200  # the consumer's token (its SSM parameter) keeps working either way
    assert (handed_out == live, status(handed_out)) == ((False, 401) if revoked else (True, 200))


@pytest.mark.parametrize("provisioned", [True, False], ids=["healthy", "crm.properties_not_provisioned"])
def test_the_portal_has_the_registry_properties_unless_never_provisioned(provisioned: bool) -> None:
    from hhl_backend.crm import registry

    faults = frozenset(set() if provisioned else {"crm.properties_not_provisioned"})
    client, token, _ = _standin(faults)
    headers = {"Authorization": f"Bearer {token}"}
    names = {p["name"] for p in client.get("/crm/v3/properties/contacts", headers=headers).json()["results"]}
    groups = {g["name"] for g in client.get("/crm/v3/properties/contacts/groups", headers=headers).json()["results"]}
    assert {"email", "firstname", "lastname"} <= names  # HubSpot's own defaults are always there
    assert (set(registry.names()) <= names, registry.MILESTONES_GROUP in groups) == (provisioned, provisioned)
    assert (set(registry.names()) & names == set()) is not provisioned
