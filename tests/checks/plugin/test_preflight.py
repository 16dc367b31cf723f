"""Preflight behaviour against a misrouted API base (the real rollout's CMS-instead-of-API mistake), through
`--env local --sandbox-state`: the real target checks fail once, dependants end `blocked`, one environment error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checks.gate_project import API_ROUTES, Gate, Server

REPO = Path(__file__).resolve().parents[3]
DEPENDANTS = """
import pytest

@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_api_dependant():
    raise AssertionError("must not run when the API preflight failed")

@pytest.mark.check("security.headers")
def test_security_dependant():
    raise AssertionError("must not run when the API preflight failed")

@pytest.mark.check("e2e.anon.pages")
def test_other_area():
    pass
"""


def _state_file(gate: Gate, api_url: str) -> Path:
    path = gate.pytester.path / "state.json"
    path.write_text(
        json.dumps(
            {
                "site_url": "http://localhost:1",
                "api_url": api_url,
                "idp_url": "http://127.0.0.1:2",
                "aws_endpoint_url": "http://127.0.0.1:3",
                "region": "us-east-1",
                "user_pool_id": "us-east-1_abc",
                "client_id": "client",
                "users": [{"username": "learner@example.com", "password": "Sandbox-Passw0rd"}],
            }
        )
    )
    return path


def _run(gate: Gate, server: Server, *args: str) -> pytest.RunResult:
    gate.suite((REPO / "suites" / "api" / "test_target.py").read_text(), "test_target.py")
    gate.suite(DEPENDANTS, "test_dependants.py")
    return gate.run("--env", "local", "--sandbox-state", str(_state_file(gate, server.url)), *args)


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_web_page_as_api_base_blocks_dependants(gate: Gate, serve, xdist: tuple[str, ...]) -> None:
    cms = serve({})  # every path: the CMS-style HTML 404
    result = _run(gate, cms, *xdist)
    statuses = {check_id: r["status"] for check_id, r in gate.results().items()}
    assert statuses == {
        "api.target.gateway_fingerprint": "failed",
        "api.target.auth_me_fingerprint": "blocked",
        "api.login.redirects_to_hosted_ui": "blocked",
        "security.headers": "blocked",
        "e2e.anon.pages": "passed",
    }
    output = result.stdout.str()
    errors = [line for line in output.splitlines() if line.startswith("ENVIRONMENT ERROR")]
    assert len(errors) == 1, output
    assert "API base answers as a web page" in errors[0]
    assert f"{cms.url}/__hhl_probe_" in errors[0] and "text/html" in errors[0] and "`api_base_url`" in errors[0]
    assert "Traceback" not in output
    assert result.ret == 2


def test_healthy_api_base_passes_preflight_and_runs_dependants(gate: Gate, serve) -> None:
    _run(gate, serve(API_ROUTES))
    statuses = {check_id: r["status"] for check_id, r in gate.results().items()}
    assert statuses["api.target.gateway_fingerprint"] == "passed"
    assert statuses["api.target.auth_me_fingerprint"] == "passed"
    assert statuses["api.login.redirects_to_hosted_ui"] == "failed"  # it ran
    assert statuses["security.headers"] == "failed"
