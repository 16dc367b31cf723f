"""`python -m sandbox up`: the state file contract, everything answering, clean teardown, clear start errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import httpx
import pytest

from sandbox.ports import ensure_free
from tests.sandbox import sandbox_process

pytestmark = pytest.mark.integration

STATE_KEYS = {
    "site_url",
    "api_url",
    "idp_url",
    "aws_endpoint_url",
    "region",
    "stack_name",
    "user_pool_id",
    "client_id",
    "function_name",
    "tables",
    "users",
    "faults",
}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory):
    proc = sandbox_process.start(tmp_path_factory.mktemp("sbx") / "state.json")
    yield proc
    proc.stop()


def test_state_file_has_the_interface_keys(running: sandbox_process.SandboxProcess) -> None:
    on_disk = json.loads(running.state_file.read_text(encoding="utf-8"))
    assert on_disk.keys() >= STATE_KEYS  # the file's key names are the interface of the tools reading it as JSON
    state = running.state()
    assert state.tables is not None and set(state.tables.model_dump()) == {"users", "enrollments", "progress", "badges"}
    assert len(state.users) == 2 and all(u.username and u.password.get_secret_value() for u in state.users)
    assert state.site_url.startswith("http://localhost:") and state.idp_url.startswith("http://127.0.0.1:")


def test_every_component_answers_as_itself(running: sandbox_process.SandboxProcess) -> None:
    state = running.state()
    with httpx.Client(timeout=5) as client:
        probe = client.get(f"{state.api_url}/__hhl_probe_x")
        assert probe.status_code == 404 and probe.json() == {"message": "Not Found"}
        me = client.get(f"{state.api_url}/auth/me")
        assert me.status_code == 401 and me.json()["error"].startswith("Unauthorized")
        page = client.get(f"{state.site_url}/learn")
        assert page.status_code == 200 and 'id="hhl-auth-context"' in page.text
        proxied = client.get(f"{state.site_url}/auth/me")
        assert proxied.status_code == 401
        jwks = client.get(f"{state.idp_url}/{state.user_pool_id}/.well-known/jwks.json")
        assert jwks.status_code == 200 and jwks.json()["keys"][0]["alg"] == "RS256"
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=state.aws_endpoint_url,
        region_name=state.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert state.tables is not None
    assert set(state.tables.model_dump().values()) <= set(dynamodb.list_tables()["TableNames"])


def test_sigterm_tears_down_and_frees_ports(tmp_path: Path) -> None:
    proc = sandbox_process.start(tmp_path / "state.json")
    state = proc.state()
    ports = sandbox_process.listening_ports(state)
    assert proc.stop() == 0
    assert not (tmp_path / "state.json").exists()
    for role, port in zip(("site", "api", "idp", "aws"), ports, strict=True):
        ensure_free(port, role)  # raises if anything still listens (as a server binds: TIME_WAIT is no listener)


def test_unknown_fault_is_one_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "up", "--state-file", str(tmp_path / "s.json"), "--fault", "nope.nothing"],
        cwd=sandbox_process.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "unknown fault(s): nope.nothing" in result.stderr and "Traceback" not in result.stderr


def test_port_in_use_is_one_clear_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sandbox", "up", "--state-file", str(tmp_path / "s.json"), "--port-base", str(port)],
            cwd=sandbox_process.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {port} (site) is already in use" in result.stderr and "Traceback" not in result.stderr


def test_faults_lists_the_catalog() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "faults"], cwd=sandbox_process.REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "backend.open_redirect" in result.stdout and "security.login.open_redirect" in result.stdout


def test_a_hooked_user_signs_in_end_to_end(running: sandbox_process.SandboxProcess) -> None:
    # POST /__standin/users, then the harness's own HTTP sign-in (site → API → hosted UI → callback) and /auth/me:
    # everything a first sign-in of a fresh user needs (profile row included) is in place.
    from checks.http import HttpClient
    from checks.login import sign_in

    state = running.state()
    created = httpx.post(f"{state.idp_url}/__standin/users", json={}, timeout=10)
    assert created.status_code == 201
    user = created.json()
    with HttpClient(state.api_url) as http:
        session = sign_in(http, api_base_url=state.api_url, username=user["username"], password=user["password"])
        me = http.get("/auth/me", cookies=session.cookies)
    assert me.status == 200 and me.json()["email"] == user["username"]
