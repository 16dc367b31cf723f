"""Ordinary pytest use of the gate: `-k <check id>`, `-m smoke` / `--scope smoke`, `-x`, SIGTERM, declared
prerequisites, missing credentials, waivers naming no check, a reused --report-dir, option paths outside the
project (space form). Each through a real pytest subprocess with the gate plugin and a fake finish."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks.catalog import CheckSpec
from checks.plugin.preflight import blockers, prerequisite_order
from tests.checks.gate_project import Gate, env_document

REPO = Path(__file__).resolve().parents[3]

TWO_CHECKS = """
import pytest

@pytest.mark.check("security.cookies.flags")
def test_cookie_flags():
    pass

@pytest.mark.check("api.me.profile")
def test_profile():
    pass

@pytest.mark.check("api.quiz.validation")
def test_quiz_validation():
    raise AssertionError("quiz validation is broken")
"""


def _env(gate: Gate, api_url: str, **overrides: object) -> str:
    """The dev env file on a fake API base, with writes allowed (the checks here write nothing real)."""
    document = env_document(api_url, **overrides)
    document["allow_writes"] = True
    return str(gate.env_file(document))


def _run_meta(gate: Gate) -> dict[str, object]:
    return json.loads((gate.report_dir / "fake-results.json").read_text())["run"]


def test_k_selects_a_check_by_its_catalog_id(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    result = gate.run("--env", _env(gate, api_server.url), "-k", "security.cookies.flags")
    result.assert_outcomes(passed=1, deselected=2)
    assert set(gate.results()) == {"security.cookies.flags"}


def test_smoke_marker_and_scope_select_the_catalog_smoke_set(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    env = _env(gate, api_server.url)
    gate.run("--env", env, "-m", "smoke").assert_outcomes(passed=1, deselected=2)
    assert set(gate.results()) == {"api.me.profile"} and _run_meta(gate)["scope"] == "smoke"
    gate.run("--env", env, "--scope", "smoke").assert_outcomes(passed=1, deselected=2)
    assert set(gate.results()) == {"api.me.profile"} and _run_meta(gate)["scope"] == "smoke"
    gate.run("--env", env, "-m", "not smoke").assert_outcomes(passed=1, failed=1, deselected=1)
    assert _run_meta(gate)["scope"] == "full"


def test_maxfail_marks_the_run_interrupted(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    gate.run("--env", _env(gate, api_server.url), "-p", "no:randomly", "-x")
    assert "failures" in str(_run_meta(gate)["interrupted"])


def test_a_suite_that_fails_to_import_still_reports_the_run_interrupted(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    gate.suite("import a_module_that_does_not_exist\n", "test_broken.py", area="security")
    result = gate.run("--env", _env(gate, api_server.url))
    assert result.ret == 2  # pytest's own status for collection errors: never a pass
    assert _run_meta(gate)["interrupted"] == "1 suite module(s) failed to collect: suites/security/test_broken.py"


def test_an_unknown_sandbox_fault_is_a_usage_error_before_anything_starts(gate: Gate) -> None:
    gate.suite(TWO_CHECKS)
    result = gate.run("--env", "local", "--sandbox-fault", "backend.no_such_fault")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'backend.no_such_fault'" in result.stderr.str()
    assert not gate.report_dir.exists()


def test_a_full_run_is_not_interrupted(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    gate.run("--env", _env(gate, api_server.url))
    assert _run_meta(gate)["interrupted"] == ""


SLOW_CHECK = """
import os
import pathlib
import threading
import pytest

@pytest.mark.check("api.me.profile")
def test_profile():
    pass

@pytest.mark.check("security.headers")
def test_waits():
    pathlib.Path(os.environ["GATE_STARTED_FILE"]).write_text("1")
    threading.Event().wait(60)
"""


def test_sigterm_finishes_the_run_as_interrupted(gate: Gate, api_server) -> None:
    gate.suite(SLOW_CHECK)
    env = _env(gate, api_server.url)
    report_dir = gate.pytester.path / "run-term"
    marker = gate.pytester.path / "started"
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "suites", "--env", env, "--report-dir", str(report_dir), "-p",
         "no:randomly"],
        cwd=gate.pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "GATE_STARTED_FILE": str(marker)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), process.communicate()[0]
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    data = json.loads((report_dir / "fake-results.json").read_text())
    assert "SIGTERM" in data["run"]["interrupted"], output
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output


NEEDS_USER = """
import pytest

@pytest.mark.check("api.me.profile")
def test_profile(test_user):
    raise AssertionError("must not run without credentials")

@pytest.mark.check("api.callback.success")
def test_callback(test_user):
    raise AssertionError("must not run without credentials")

@pytest.mark.check("security.headers")
def test_headers():
    pass
"""


def test_missing_credentials_are_one_environment_error(gate: Gate, api_server) -> None:
    gate.suite(NEEDS_USER)
    result = gate.run("--env", _env(gate, api_server.url))
    statuses = {check_id: r["status"] for check_id, r in gate.results().items()}
    assert statuses == {"api.me.profile": "blocked", "api.callback.success": "blocked", "security.headers": "passed"}
    errors = [line for line in result.stdout.lines if line.startswith("ENVIRONMENT ERROR")]
    assert len(errors) == 1 and "HHL_TEST_USERNAME" in errors[0], result.stdout.str()


def test_a_waiver_naming_no_catalog_check_is_a_usage_error(gate: Gate, api_server) -> None:
    waiver = {"check": "security.cookies.flag", "reason": "typo", "owner": "ops", "expires": "2099-01-01"}
    gate.suite(TWO_CHECKS)
    result = gate.run("--env", _env(gate, api_server.url, waivers=[waiver]))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "waivers[0].check: 'security.cookies.flag' is not a check id" in result.stderr.str()


def test_a_non_empty_report_dir_is_refused(gate: Gate, api_server) -> None:
    gate.suite(TWO_CHECKS)
    used = gate.pytester.path / "used"
    used.mkdir()
    (used / "results.json").write_text("{}")
    result = gate.pytester.runpytest_subprocess(
        "suites", "--env", _env(gate, api_server.url), "--report-dir", str(used)
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "not an empty directory" in result.stderr.str()


@pytest.mark.parametrize("form", ["space", "equals"])
def test_option_paths_outside_the_project_parse_in_either_form(
    form: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "stage.yaml"
    outside.write_text((REPO / "environments" / "local.yaml").read_text())
    env_args = ["--env", str(outside)] if form == "space" else [f"--env={outside}"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *env_args, "--co", "-q", "-k", "security.headers"],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "suites/security/" in done.stdout and "1/" in done.stdout, done.stdout


def _spec(check_id: str, requires: tuple[str, ...] = ()) -> CheckSpec:
    return CheckSpec(check_id, check_id.split(".", 1)[0], "high", "none", "all", requires=requires)


def test_declared_prerequisites_block_and_come_first() -> None:
    catalog = {
        s.id: s
        for s in (
            _spec("api.target.gateway_fingerprint"),
            _spec("api.me.profile"),
            _spec("api.events.persisted", ("api.me.profile",)),
            _spec("e2e.target.hosted_ui_identity", ("api.target.gateway_fingerprint",)),
            _spec("infra.logs.group"),
        )
    }
    selected = {
        "api.me.profile": ["api.me.profile"],
        "api.target.gateway_fingerprint": ["api.target.gateway_fingerprint"],
    }
    events = blockers(catalog["api.events.persisted"], selected, catalog)
    assert {(b.check_id, b.kind) for b in events} == {
        ("api.me.profile", "prerequisite"),
        ("api.target.gateway_fingerprint", "preflight"),
    }
    hosted = blockers(catalog["e2e.target.hosted_ui_identity"], selected, catalog)
    assert [b.check_id for b in hosted] == ["api.target.gateway_fingerprint"]
    assert blockers(catalog["infra.logs.group"], selected, catalog) == ()
    order = prerequisite_order(
        ["events", "infra", "profile", "hosted", "gateway"],
        {
            "events": catalog["api.events.persisted"],
            "infra": catalog["infra.logs.group"],
            "profile": catalog["api.me.profile"],
            "hosted": catalog["e2e.target.hosted_ui_identity"],
            "gateway": catalog["api.target.gateway_fingerprint"],
        },
        catalog,
    )
    assert order == ["gateway", "hosted", "profile", "events", "infra"]
