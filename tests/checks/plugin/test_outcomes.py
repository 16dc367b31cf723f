"""The gate plugin end to end in a pytester project: outcome mapping, one result per item, markers, JUnit counts,
exit codes from the (fake) verdict, unreachable targets."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.checks.gate_project import Gate, Server, env_document

OUTCOME_SUITE = """
import pytest

@pytest.mark.check("api.target.gateway_fingerprint")
def test_target(api):
    assert api.get("/__hhl_probe_x").json() == {"message": "Not Found"}

@pytest.mark.check("api.login.redirects_to_hosted_ui")
def test_pass(evidence):
    evidence.record(expected={"status": 302}, actual={"status": 302})

@pytest.mark.check("api.login.fresh_pkce")
def test_warning(evidence):
    evidence.warn("state is short but acceptable")

@pytest.mark.check("api.callback.bad_code_not_5xx")
def test_failed(evidence):
    evidence.record(expected=400, actual=500)
    assert 500 == 400, "callback answered 500"

@pytest.mark.check("api.callback.bad_state")
def test_error():
    raise RuntimeError("harness crashed")

@pytest.mark.check("api.callback.missing_params")
def test_skipped():
    pytest.skip("policy says no")

@pytest.mark.check("api.me.token_edge_cases")
def test_local_only():
    raise AssertionError("must not run on aws")

@pytest.mark.check("api.callback.success")
def test_writes():
    raise AssertionError("must not run without allow_writes")

@pytest.mark.check("api.content_type_json")
def test_fixture_error(broken):
    pass

@pytest.mark.check("api.gateway.unknown_routes")
@pytest.mark.parametrize("path", ["/events/track", "/api/health"])
def test_param(path):
    pass
"""

EXPECTED = {
    "api.target.gateway_fingerprint": "passed",
    "api.login.redirects_to_hosted_ui": "passed",
    "api.login.fresh_pkce": "warning",
    "api.callback.bad_code_not_5xx": "failed",
    "api.callback.bad_state": "error",
    "api.callback.missing_params": "skipped",
    "api.me.token_edge_cases": "skipped",
    "api.callback.success": "error",
    "api.content_type_json": "error",
    "api.gateway.unknown_routes[/events/track]": "passed",
    "api.gateway.unknown_routes[/api/health]": "passed",
}


@pytest.fixture
def outcome_run(gate: Gate, api_server: Server) -> tuple[Gate, pytest.RunResult]:
    gate.suite(OUTCOME_SUITE)
    env = gate.env_file(env_document(api_server.url))
    return gate, gate.run("--env", str(env), "--junitxml", str(gate.pytester.path / "junit.xml"))


def test_each_item_maps_to_exactly_one_outcome(outcome_run: tuple[Gate, pytest.RunResult]) -> None:
    gate, _ = outcome_run
    results = gate.results()
    assert {check_id: r["status"] for check_id, r in results.items()} == EXPECTED
    assert len(results) == len(EXPECTED)


def test_results_carry_message_evidence_and_known(outcome_run: tuple[Gate, pytest.RunResult]) -> None:
    results = outcome_run[0].results()
    failed = results["api.callback.bad_code_not_5xx"]
    assert failed["known"] is True  # known_profiles of the catalog contain the env's real-2026-01
    assert (failed["expected"], failed["actual"]) == (400, 500)
    assert "callback answered 500" in failed["message"]
    assert results["api.login.fresh_pkce"]["message"] == "state is short but acceptable"
    assert results["api.me.token_edge_cases"]["message"] == "not applicable to aws"
    assert results["api.callback.success"]["message"].startswith("writes not allowed in dev: set allow_writes")
    assert "fixture exploded" in results["api.content_type_json"]["message"]
    assert results["api.target.gateway_fingerprint"]["evidence"] == [
        "evidence/api.target.gateway_fingerprint/01-GET-hhl-probe-x.txt"
    ]
    assert results["api.gateway.unknown_routes[/api/health]"]["check_id"] == "api.gateway.unknown_routes"
    assert all(r["started_at"].endswith("Z") and r["duration_ms"] >= 0 for r in results.values())


def test_verdict_sets_exit_status_and_is_printed(outcome_run: tuple[Gate, pytest.RunResult]) -> None:
    result = outcome_run[1]
    assert result.ret == 2  # the fake verdict: INCONCLUSIVE because of `error` outcomes
    result.stdout.fnmatch_lines(
        ["*rollout gate*", "VERDICT: INCONCLUSIVE", "  - a check did not run", "run directory: *"]
    )


def test_junit_counts_match_results(outcome_run: tuple[Gate, pytest.RunResult]) -> None:
    gate, _ = outcome_run
    results = gate.results().values()
    suite = ET.parse(gate.pytester.path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", -1)) == len(results)
    bad = sum(r["status"] in ("failed", "error") for r in results)
    assert int(suite.get("failures", 0)) + int(suite.get("errors", 0)) == bad
    assert int(suite.get("skipped", 0)) == sum(r["status"] in ("skipped", "blocked") for r in results)


def test_go_exits_zero_and_no_go_exits_one(gate: Gate, api_server: Server) -> None:
    gate.suite(OUTCOME_SUITE.split('@pytest.mark.check("api.login.fresh_pkce")')[0])
    env = gate.env_file(env_document(api_server.url))
    assert gate.run("--env", str(env)).ret == 0
    failing = 'import pytest\n\n@pytest.mark.check("api.login.fresh_pkce")\ndef test_f():\n    assert False\n'
    gate.suite(failing, "test_more.py")
    assert gate.run("--env", str(env)).ret == 1


def test_catalog_markers_select_checks(gate: Gate, api_server: Server) -> None:
    gate.suite(OUTCOME_SUITE)
    env = gate.env_file(env_document(api_server.url))
    gate.run("--env", str(env), "-m", "severity(level='critical')")
    assert set(gate.results()) == {
        "api.target.gateway_fingerprint",
        "api.login.redirects_to_hosted_ui",
        "api.callback.success",
    }


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def test_unmarked():\n    pass\n", "test_unmarked: expected exactly one @pytest.mark.check"),
        ('@pytest.mark.check("api.nope")\ndef test_unknown():\n    pass\n', "check id 'api.nope' is not in"),
        (
            '@pytest.mark.check("api.login.fresh_pkce")\n@pytest.mark.check("api.login.fresh_pkce")\n'
            "def test_twice():\n    pass\n",
            "test_twice: expected exactly one",
        ),
    ],
)
def test_invalid_check_marker_is_one_usage_error(gate: Gate, api_server: Server, source: str, fragment: str) -> None:
    gate.suite("import pytest\n\n" + source)
    result = gate.run("--env", str(gate.env_file(env_document(api_server.url))))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert fragment in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_unreachable_api_is_one_clear_failure(gate: Gate) -> None:
    gate.suite(OUTCOME_SUITE.split('@pytest.mark.check("api.login.redirects_to_hosted_ui")')[0])
    env = gate.env_file(env_document("http://127.0.0.1:9"))  # discard port: nothing listens
    result = gate.run("--env", str(env))
    target = gate.results()["api.target.gateway_fingerprint"]
    assert target["status"] == "failed"
    assert target["message"].startswith("target unreachable: http://127.0.0.1:9/__hhl_probe_x")
    output = result.stdout.str()
    assert "TargetUnreachable: target unreachable: http://127.0.0.1:9/__hhl_probe_x" in output
    assert "Traceback" not in output and "httpx" not in output
    assert "ENVIRONMENT ERROR: api.target.gateway_fingerprint: target unreachable" in output


def test_bad_env_file_is_one_usage_error(gate: Gate) -> None:
    gate.suite('import pytest\n\n@pytest.mark.check("api.login.fresh_pkce")\ndef test_x():\n    pass\n')
    env = gate.env_file({**env_document("http://x"), "api_bse_url": "typo"})
    result = gate.run("--env", str(env))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "api_bse_url: Extra inputs are not permitted" in result.stderr.str()
    assert "Traceback" not in result.stderr.str()
