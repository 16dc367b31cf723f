"""`python -m hhl_backend.crm.provision_properties`: creates the milestones group and every registry property on a
portal that has none (the stand-in reset without the registry), a re-run finds them all (409 = exists), and a
refused token or a missing variable exits 1 without printing the token."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from hhl_backend.crm import registry
from hhl_backend.crm.provision_properties import TOKEN_VARIABLE, main
from starlette.testclient import TestClient

from sandbox.hubspot import create_hubspot_app
from tests.backend.crm.fake_hubspot import TOKEN
from tests.backend.crm.values import HUBSPOT

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def portal() -> Iterator[TestClient]:
    with TestClient(create_hubspot_app(token=TOKEN), base_url=HUBSPOT, client=LOOPBACK) as client:
        client.post("/__standin/reset", json={"registry": False}).raise_for_status()
        yield client


def definitions(portal: TestClient) -> dict[str, dict]:
    body = portal.get("/crm/v3/properties/contacts", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    return {p["name"]: p for p in body["results"]}


def test_creates_then_finds_everything(
    portal: TestClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    assert not set(registry.names()) & set(definitions(portal))
    assert main(["--base-url", HUBSPOT], http=portal) == 0
    first = capsys.readouterr().out
    assert first.strip().splitlines()[-1] == f"{len(registry.PROPERTIES) + 1} created, 0 already existed, 0 failed"
    created = definitions(portal)
    for prop in registry.PROPERTIES:
        assert created[prop.name]["type"] == prop.type and created[prop.name]["groupName"] == prop.group

    assert main(["--base-url", HUBSPOT], http=portal) == 0
    second = capsys.readouterr().out
    assert second.strip().splitlines()[-1] == f"0 created, {len(registry.PROPERTIES) + 1} already existed, 0 failed"
    assert TOKEN not in first + second


def test_a_refused_token_fails(
    portal: TestClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "wrong-token")
    assert main(["--base-url", HUBSPOT], http=portal) == 1
    out = capsys.readouterr().out
    assert "FAILED   hhl_progress_state: 401 INVALID_AUTHENTICATION" in out and "wrong-token" not in out


def test_a_missing_token_is_one_clear_message() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "hhl_backend.crm.provision_properties"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"provisioning failed: {TOKEN_VARIABLE} is not set"
