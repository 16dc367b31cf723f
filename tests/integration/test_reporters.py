"""JUnit XML and Allure say what results.json says (checks/plugin/reporters.py): the same check ids, statuses and
counts on one fault run, a warning never shown as a plain pass, severity and evidence on every testcase. The run
plants every medium/low fault at once, so it is also the fault matrix's proof for those faults (GO with findings)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from reports.redaction import token_fragments
from sandbox.faults import FAULTS
from tests.integration.harness_run import GATE_AREAS, HarnessRun, env_file, run_harness, suites_for

pytestmark = pytest.mark.integration

# results.json status → what allure-pytest shows (a warning is `broken`, never `passed`)
ALLURE_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "warning": "broken",
    "error": "broken",
    "skipped": "skipped",
    "blocked": "skipped",
    "waived": "failed",
}


# Every medium/low fault of the catalog (`verdict: GO`), planted at once: independent findings on different
# surfaces. One run of every area (FINDINGS_AREAS, all required) then proves both that each is
# caught as a listed finding that never blocks, and (below) that JUnit and Allure carry what results.json says,
# failures and warnings included.
GO_FAULTS = [f for f in FAULTS.values() if f.verdict == "GO" and not f.second_wave]
# Every area (a CRM consumer's alarm is one of the findings), but the latency thresholds (a p95 in a niced run is not
# the target's) and the fuzzer (it catches no GO fault; 10-15 s of CPU) are left to the healthy pair: all three
# high, not critical, so the run stays GO, PARTIAL.
FINDINGS_AREAS = (*GATE_AREAS, "crm", "load")
LEFT_TO_THE_HEALTHY_PAIR = ("load.api.read_latency", "load.api.event_burst", "api.fuzz.no_5xx")
NOT_HERE = ["-k", " and ".join(f"not {check}" for check in LEFT_TO_THE_HEALTHY_PAIR)]
FINDINGS_CRM_DEADLINE_S = 15  # a healthy sandbox reflects an event in ≤ 1 s (p95)


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarnessRun, Path, Path]:
    tmp = tmp_path_factory.mktemp("findings")
    junit, allure = tmp / "junit.xml", tmp / "allure"
    extra = ["--junitxml", str(junit), "--alluredir", str(allure)]
    env = env_file(tmp, required_areas=FINDINGS_AREAS, crm_deadline_s=FINDINGS_CRM_DEADLINE_S)
    paths = suites_for(FINDINGS_AREAS)
    run = run_harness(tmp, env=env, faults=[f.name for f in GO_FAULTS], paths=paths, extra=[*extra, *NOT_HERE])
    return run, junit, allure


def test_medium_and_low_faults_are_caught_as_findings_and_never_block(fault_run) -> None:
    run, _, _ = fault_run
    assert run.verdict == "GO" and run.exit_code == 0, run.results["run"]["verdict_reasons"]
    red = {c["check_id"] for c in run.results["checks"] if c["status"] in ("failed", "error", "blocked")}
    expected = {check for fault in GO_FAULTS for check in fault.caught_by}
    assert red == expected, f"missed: {expected - red}; others red: {red - expected}"
    reasons = " ".join(run.results["run"]["verdict_reasons"])
    assert all(check in reasons for check in expected), reasons  # each named among the open findings
    assert token_fragments(run.run_dir) == []


def _junit_cases(junit: Path) -> dict[str, dict[str, object]]:
    cases = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        props = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        named = dict(props)
        outcome = next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), "passed")
        out = "".join(e.text or "" for e in case.iter("system-out"))
        cases[str(named["hhl.result_id"])] = {"props": named, "outcome": outcome, "out": out, "all": props}
    return cases


def _allure_results(allure: Path) -> dict[str, dict[str, object]]:
    found = {}
    for path in allure.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        labels = {label["name"]: label["value"] for label in data.get("labels", [])}
        if "hhl_status" in labels:
            found[labels["check_id"] + data["name"][len(data["name"].split("[")[0]) :]] = {
                "status": data["status"],
                "labels": labels,
                "attachments": data.get("attachments", []),
            }
    return found


def test_junit_carries_ids_statuses_and_counts_of_results_json(fault_run) -> None:
    run, junit, _ = fault_run
    checks = {c["id"]: c for c in run.results["checks"]}
    cases = _junit_cases(junit)
    assert set(cases) == set(checks)
    for cid, check in checks.items():
        props = cases[cid]["props"]
        assert props["hhl.status"] == check["status"] and props["hhl.severity"] == check["severity"], cid
        assert props["hhl.check_id"] == check["check_id"] and props["hhl.known"] in ("true", "false")
        evidence = [v for k, v in cases[cid]["all"] if k == "hhl.evidence"]
        assert evidence == check["evidence"], cid
        if check["status"] != "passed":
            assert f"{cid}: {check['status']}" in cases[cid]["out"], cid  # a warning says so in system-out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and int(suite.get("tests", "-1")) == len(checks)
    red = sum(c["status"] in ("failed", "error") for c in checks.values())
    assert int(suite.get("failures", "-1")) + int(suite.get("errors", "-1")) == red
    failed = [cid for cid, check in checks.items() if check["status"] == "failed"]
    assert failed and all(cases[cid]["outcome"] == "failure" for cid in failed)


def test_allure_carries_ids_statuses_and_counts_of_results_json(fault_run) -> None:
    run, _, allure = fault_run
    checks = {c["id"]: c for c in run.results["checks"]}
    results = _allure_results(allure)
    assert set(results) == set(checks)
    assert Counter(r["labels"]["hhl_status"] for r in results.values()) == Counter(c["status"] for c in checks.values())
    for cid, check in checks.items():
        labels = results[cid]["labels"]
        assert labels["hhl_severity"] == check["severity"] and labels["hhl_status"] == check["status"], cid
        assert results[cid]["status"] == ALLURE_STATUS[check["status"]], cid
    headers = results["security.headers"]  # a low failure judged on HTTP transcripts
    assert headers["status"] == "failed" and headers["labels"]["hhl_severity"] == "low"
    assert any(a["name"].endswith(".txt") for a in headers["attachments"]), headers["attachments"]
