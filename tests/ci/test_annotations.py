"""The job summary and the gate's workflow-command annotations name check ids, expected vs actual and the
evidence file in the artifact, and carry no secret: planted in a check's message, values and evidence names,
and end to end through a gate run under GITHUB_ACTIONS=true with the workflows' own PYTEST_ADDOPTS."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from reports.step_summary import (
    ARTIFACT_NAME,
    annotation_lines,
    one_liner,
    summary_markdown,
    write_step_summary,
)
from tests.checks.gate_project import Gate, Server, env_document
from tests.ci.workflows import gate_steps

SECRET = "Planted-CI-Secret-51fe"
RUN_ID = "local-20260301T101500Z-abc123"


def _check(check_id: str, status: str, severity: str = "high", **fields: Any) -> dict[str, Any]:
    base = {"id": check_id, "status": status, "severity": severity, "message": "", "evidence": []}
    return {**base, "expected": None, "actual": None, "nodeid": f"suites/api/test_x.py::test_{status}", **fields}


def _results(checks: list[dict[str, Any]], verdict: str = "NO-GO") -> dict[str, Any]:
    run = {"id": RUN_ID, "env": "local", "verdict": verdict, "scope": "full", "verdict_reasons": ["blocking-failure"]}
    return {"run": run, "counts": {"by_status": {"failed": 1}}, "checks": checks}


def test_one_liner_is_the_first_differing_key_else_the_message() -> None:
    check = _check("api.cors", "failed", expected={"status": 401, "cors": "x"}, actual={"status": 500, "cors": "y"})
    assert one_liner(check) == "status: expected 401, got 500 (+1 more)"
    assert one_liner(_check("api.x", "error", message="ConnectError: refused\ntraceback")) == "ConnectError: refused"
    absent = _check("security.cookies.flags", "failed", expected={"cookies": ["a"]}, actual={})
    assert one_liner(absent) == 'cookies: expected ["a"], got (absent)'


def test_summary_names_id_severity_one_liner_and_artifact_path() -> None:
    failed = _check(
        "api.me.profile",
        "failed",
        "critical",
        expected={"status": 401},
        actual={"status": 500},
        evidence=["evidence/api.me.profile/01-GET-auth-me.txt", "evidence/api.me.profile/02-failure.png"],
    )
    low = _check("security.headers", "warning", "low", message="HSTS max-age short")
    text = summary_markdown(_results([low, failed]), run_url="https://github.example/o/r/actions/runs/7")
    line = next(x for x in text.splitlines() if "api.me.profile" in x)
    assert line == (
        f"- ❌ `api.me.profile` (critical): status: expected 401, got 500 — evidence "
        f"`{RUN_ID}/evidence/api.me.profile/02-failure.png`"
    )
    assert f"artifact `{ARTIFACT_NAME}` of [this workflow run](https://github.example/o/r/actions/runs/7)" in text
    assert text.index("api.me.profile") < text.index("security.headers")


def test_annotations_title_each_finding_by_check_id_and_escape_workflow_commands() -> None:
    failed = _check("api.cors[a,b]", "failed", message="100% refused: CORS\nline two", evidence=["evidence/c/01.txt"])
    warn = _check("security.headers", "warning", "low", message="short max-age")
    lines = annotation_lines([warn, failed, _check("api.ok", "passed")], RUN_ID, [], "NO-GO", ["blocking-failure"])
    assert lines[0] == "::error title=Rollout verdict::NO-GO: blocking-failure"
    # The message escapes %, CR and LF; a property value also ':' and ','.
    assert lines[1] == (
        "::error file=suites/api/test_x.py,title=api.cors[a%2Cb]::high failed: 100%25 refused: CORS"
        f" — evidence: {RUN_ID}/evidence/c/01.txt (artifact {ARTIFACT_NAME})"
    )
    assert lines[2].startswith("::warning file=suites/api/test_x.py,title=security.headers::low warning:")
    assert len(lines) == 3
    assert annotation_lines([], RUN_ID, [], "GO")[0].startswith("::notice title=Rollout verdict::GO")


def test_a_planted_secret_reaches_neither_summary_nor_annotations(tmp_path: Path, monkeypatch) -> None:
    leaky = _check(
        f"api.leak[{SECRET}]",
        "failed",
        message=f"token {SECRET} refused",
        expected={"token": SECRET},
        actual={"token": "x" + SECRET},
        evidence=[f"evidence/{SECRET}.txt"],
        nodeid=f"suites/api/test_{SECRET}.py::t",
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    write_step_summary(_results([leaky]), [SECRET])
    lines = annotation_lines([leaky], RUN_ID, [SECRET], "NO-GO", [f"reason {SECRET}"])
    written = summary.read_text(encoding="utf-8") + "\n".join(lines)
    assert "api.leak" in written and "[REDACTED]" in written
    assert SECRET not in written and SECRET[:12] not in written


def _workflow_addopts() -> str:
    (step,) = gate_steps("pr-gate")
    return " ".join(shlex.split(step["env"]["PYTEST_ADDOPTS"]))


LEAKY_SUITE = """
import os
import pytest

SECRET = os.environ["HHL_TEST_PASSWORD"]

@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_leaks(evidence):
    evidence.record(expected={"status": 302}, actual={"status": 200, "token": SECRET})
    assert SECRET == "something else", "mismatch for " + SECRET

@pytest.mark.check("api.login.fresh_pkce")
def test_crashes():
    raise RuntimeError("crash carrying " + SECRET)
"""


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_gate_run_under_github_actions_annotates_each_check_and_leaks_nothing(
    gate: Gate, api_server: Server, monkeypatch: pytest.MonkeyPatch, xdist: tuple[str, ...]
) -> None:
    monkeypatch.setenv("HHL_TEST_PASSWORD", SECRET)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("PYTEST_ADDOPTS", _workflow_addopts())
    monkeypatch.chdir(gate.pytester.path)
    gate.suite(LEAKY_SUITE)
    env = gate.env_file(env_document(api_server.url))
    # As the workflows run it: no --report-dir, so the run lands in verification-output/<run-id>/.
    result = gate.pytester.runpytest_subprocess("suites", "--env", str(env), *xdist)
    out = result.stdout.str() + result.stderr.str()
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    titles = [line.split("title=", 1)[1].split("::", 1)[0] for line in annotations]
    assert titles == ["Rollout verdict", "api.login.redirects_to_hosted_ui", "api.login.fresh_pkce"], out
    assert "status: expected 302, got 200" in annotations[1]
    assert SECRET not in out and SECRET[:12] not in out
    # The annotate plugin is off for the gate (its lines would start `::error file=` with no `title=`).
    assert all("title=" in line for line in annotations)
    output = gate.pytester.path / "verification-output"
    run_dirs = [p for p in output.iterdir() if p.is_dir() and (p / "fake-results.json").is_file()]
    assert len(run_dirs) == 1 and (output / "junit.xml").is_file() and (output / "allure-results").is_dir()
    files = [p for p in output.rglob("*") if p.is_file()]
    assert not [p for p in files if SECRET.encode() in p.read_bytes()]


def test_the_annotate_plugin_on_a_gate_suite_would_annotate_without_check_ids(
    gate: Gate, api_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the workflows disable it for the gate: its annotations name a file and line, not the check, and its
    message is pytest's crash line (scrubbed here only because the plugin redacts the report first)."""
    monkeypatch.setenv("HHL_TEST_PASSWORD", SECRET)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    gate.suite(LEAKY_SUITE)
    result = gate.run("--env", str(gate.env_file(env_document(api_server.url))))
    plugin_lines = [line for line in result.stderr.str().splitlines() if line.startswith("::error file=")]
    assert plugin_lines and all("title=" not in line for line in plugin_lines)
    assert SECRET not in result.stdout.str() + result.stderr.str()
