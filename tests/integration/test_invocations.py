"""The gate fails closed in every invocation (issue 8): a deselected critical check, a signal mid-run, a misrouted
API base and the smoke scope, each as a real harness run against a sandbox. (Two runs on one sandbox, which are also
the healthy full run, and `-n 2` against the serial counts are in test_healthy_run.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.harness_run import (
    NICED,
    REPO_ROOT,
    HarnessRun,
    child_environ,
    env_file,
    environment_errors,
    run_harness,
    suites_for,
)

pytestmark = pytest.mark.integration

CONFIRMATION = "production-deployment-confirmation.md"
SIGNAL_EXIT_S = 2.0  # SPEC/issue 8: the sandbox is gone within 2 s of the harness dying


def _reasons(run: HarnessRun) -> str:
    return " ".join(run.results["run"]["verdict_reasons"])


def test_deselecting_a_critical_check_is_partial_and_inconclusive(tmp_path: Path) -> None:
    run = run_harness(
        tmp_path,
        env=env_file(tmp_path, required_areas={"security"}),
        faults=["backend.open_redirect"],
        paths=suites_for({"security"}),
        extra=["-k", "not open_redirect"],
    )
    assert run.verdict == "INCONCLUSIVE", _reasons(run)
    assert run.exit_code == 2, run.output[-2000:]
    assert "security.login.open_redirect" in run.results["run"]["partial"]["ids"]
    assert "critical-did-not-run" in _reasons(run)
    assert "PARTIAL RUN" in run.output and "PARTIAL RUN" in (run.run_dir / "FINAL-REPORT.md").read_text()
    assert not (run.run_dir / CONFIRMATION).exists()


def test_smoke_scope_on_a_healthy_sandbox_is_go(tmp_path: Path) -> None:
    run = run_harness(tmp_path, extra=["-m", "smoke"])
    statuses = Counter(c["status"] for c in run.results["checks"])
    assert run.verdict == "GO" and run.exit_code == 0, _reasons(run)
    assert statuses["passed"] >= 8 and set(statuses) <= {"passed", "warning", "skipped"}, statuses
    assert run.results["run"]["scope"] == "smoke" and not run.results["run"]["partial"]
    assert "VERDICT: GO (smoke scope)" in run.output


def test_a_misrouted_api_base_is_one_red_check_and_one_environment_error(tmp_path: Path) -> None:
    run = run_harness(tmp_path, faults=["site.api_proxy_off"], extra=["-p", "no:randomly"])
    red = [c["id"] for c in run.results["checks"] if c["status"] in {"failed", "error"}]
    assert red == ["api.target.gateway_fingerprint"], red
    errors = environment_errors(run.output)
    assert len(errors) == 1 and "api_base_url" in errors[0], errors
    load = {c["id"]: c["status"] for c in run.results["checks"] if c["area"] == "load"}
    assert load and set(load.values()) <= {"blocked", "skipped"}, load
    assert run.verdict == "INCONCLUSIVE"


def _our_processes(marker: str) -> list[int]:
    """Live processes whose environment carries `marker` (the harness child, its sandbox, moto, workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes() and (proc / "stat").read_text().split()[2] != "Z":
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_mid_run_never_says_go_and_leaves_nothing_behind(tmp_path: Path, sig: signal.Signals) -> None:
    marker_dir = tmp_path / "tmp"
    marker_dir.mkdir()
    report_dir = tmp_path / "run"
    environ = {**child_environ(), "TMPDIR": str(marker_dir), "HHL_SIGNAL_TEST": str(marker_dir)}
    child = subprocess.Popen(
        [*NICED, sys.executable, "-m", "pytest", "--env=local", f"--report-dir={report_dir}", "-p", "no:randomly"],
        cwd=REPO_ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    state_files = lambda: list(marker_dir.glob("hhl-run-*/sandbox-state.json"))  # noqa: E731
    evidence = report_dir / "evidence"
    started = _wait_for(lambda: bool(state_files()) and evidence.is_dir() and len(list(evidence.iterdir())) >= 5, 120)
    assert started, child.poll()
    os.killpg(child.pid, sig) if sig == signal.SIGINT else child.send_signal(sig)
    output = child.communicate(timeout=120)[0]
    gone = _wait_for(lambda: not _our_processes(str(marker_dir)), SIGNAL_EXIT_S)
    assert gone, f"still running after {SIGNAL_EXIT_S} s: {_our_processes(str(marker_dir))}"
    assert state_files() == [], "the state file (test users' passwords) outlived the run"
    assert "VERDICT: GO" not in output
    assert child.returncode != 0
    assert not (report_dir / CONFIRMATION).exists()
    if (report_dir / "results.json").is_file():
        run = HarnessRun(child.returncode, output, report_dir)
        assert run.verdict == "INCONCLUSIVE" and run.results["run"]["interrupted"], _reasons(run)
