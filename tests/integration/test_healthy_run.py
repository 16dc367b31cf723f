"""The whole gate against a healthy sandbox: GO, nothing red, every document present, counts equal JUnit's."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.harness_run import HarnessRun, run_harness

pytestmark = pytest.mark.integration

DOCUMENTS = (
    "test-results-summary.md",
    "aws-deployment-verification.md",
    "rollout-checklist.md",
    "rollback-procedures.md",
    "production-deployment-confirmation.md",
    "FINAL-REPORT.md",
)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarnessRun, Path]:
    tmp = tmp_path_factory.mktemp("healthy")
    junit = tmp / "junit.xml"
    return run_harness(tmp, extra=["--junitxml", str(junit)]), junit


def test_healthy_sandbox_is_go_with_nothing_red(healthy: tuple[HarnessRun, Path]) -> None:
    run, _ = healthy
    assert run.exit_code == 0, run.output[-3000:]
    assert run.verdict == "GO"
    red = [c["id"] for c in run.results["checks"] if c["status"] in {"failed", "error", "blocked"}]
    assert red == []
    assert {c["id"].split(".")[0] for c in run.results["checks"]} >= {"api", "e2e", "infra", "security"}


def test_every_document_is_rendered(healthy: tuple[HarnessRun, Path]) -> None:
    run, _ = healthy
    for name in DOCUMENTS:
        text = (run.run_dir / name).read_text()
        assert run.results["run"]["id"] in text, name


def test_results_match_junit(healthy: tuple[HarnessRun, Path]) -> None:
    run, junit = healthy
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    checks = run.results["checks"]
    assert len(checks) == int(suite.get("tests", "-1"))
    red = sum(c["status"] in {"failed", "error"} for c in checks)
    assert red == int(suite.get("failures", "-1")) + int(suite.get("errors", "-1"))


def test_gate_cli_agrees(healthy: tuple[HarnessRun, Path]) -> None:
    import subprocess
    import sys

    run, _ = healthy
    gate = subprocess.run([sys.executable, "-m", "reports.gate", str(run.run_dir)], capture_output=True, text=True)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert "GO" in gate.stdout


def test_xdist_gives_the_serial_verdict_and_counts(healthy: tuple[HarnessRun, Path], tmp_path: Path) -> None:
    serial, _ = healthy
    parallel = run_harness(tmp_path, extra=["-n", "2"])
    assert parallel.verdict == serial.verdict == "GO", parallel.results["run"]["verdict_reasons"]
    assert Counter(c["status"] for c in parallel.results["checks"]) == Counter(
        c["status"] for c in serial.results["checks"]
    )
    assert sorted(c["id"] for c in parallel.results["checks"]) == sorted(c["id"] for c in serial.results["checks"])
