"""A planted secret (the test password, as resolved from the process environment) reaches no sink: not the run
directory, not the JUnit XML, not the Allure results, not the terminal; also under xdist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.checks.gate_project import Gate, Server, env_document

PLANTED = "Planted-Secret-9f3c"
LEAKY_SUITE = """
import os
import pytest

SECRET = os.environ["HHL_TEST_PASSWORD"]

@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_leaks_everywhere(api, evidence):
    print("stdout has", SECRET)
    api.get("/auth/me", headers={"Authorization": "Bearer " + SECRET}, params={"token": SECRET})
    evidence.attach_text("notes", "the password is " + SECRET)
    evidence.attach_json("body", {"password": SECRET, "note": "x" + SECRET})
    evidence.record(expected=SECRET, actual=[SECRET])
    assert SECRET == "something else", "mismatch for " + SECRET

@pytest.mark.check("api.login.fresh_pkce")
def test_crashes_with_secret():
    raise RuntimeError("crash carrying " + SECRET)
"""


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_planted_secret_reaches_no_sink(
    gate: Gate, api_server: Server, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]
) -> None:
    monkeypatch.setenv("HHL_TEST_PASSWORD", PLANTED)
    gate.suite(LEAKY_SUITE)
    junit, allure = gate.pytester.path / "junit.xml", gate.pytester.path / "allure"
    env = gate.env_file(env_document(api_server.url))
    result = gate.run("--env", str(env), "--junitxml", str(junit), "--alluredir", str(allure), *xdist)
    statuses = {r["id"]: r["status"] for r in gate.results().values()}
    assert statuses == {"api.login.redirects_to_hosted_ui": "failed", "api.login.fresh_pkce": "error"}
    files = [*_files(gate.report_dir), junit, *_files(allure)]
    assert len(files) > 5 and any(p.suffix == ".txt" for p in _files(gate.report_dir))
    leaks = [str(p) for p in files if PLANTED.encode() in p.read_bytes()]
    assert leaks == []
    assert PLANTED not in result.stdout.str() + result.stderr.str()
    # The request did carry it: redaction happened on the way to disk, not by not sending.
    assert any(PLANTED in headers.get("Authorization", "") for _, _, headers, _ in api_server.requests)
