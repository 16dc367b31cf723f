"""JUnit XML and Allure say what results.json says (checks/plugin/reporters.py): the same check ids, statuses and
counts on one fault run, a warning never shown as a plain pass, severity and evidence on every testcase."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.harness_run import HarnessRun, run_harness

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


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[HarnessRun, Path, Path]:
    tmp = tmp_path_factory.mktemp("reporters")
    junit, allure = tmp / "junit.xml", tmp / "allure"
    extra = ["--junitxml", str(junit), "--alluredir", str(allure)]
    return run_harness(tmp, faults=["backend.open_redirect"], extra=extra), junit, allure


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
    assert run.verdict == "NO-GO", run.output[-3000:]
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
    assert cases["security.login.open_redirect"]["outcome"] == "failure"


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
    leaking = results["security.login.open_redirect"]
    assert leaking["labels"]["severity"] == "blocker"
    assert any(a["name"].endswith("-GET-auth-callback.txt") for a in leaking["attachments"])
