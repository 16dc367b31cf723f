"""The verdict rules of SPEC §11.3, one by one, over results.json-shaped checks.

Unless a test says otherwise the catalog is exactly the recorded checks (a complete run), with the scopes below."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from checks.catalog import CheckSpec
from reports.policy import POLICY, Facts, build_facts, decide
from reports.verdicts import GO, INCONCLUSIVE, NO_GO, ExitCode, dominant, exit_code_for

SCOPES = {"infra.alarms.metrics_emitted": "real", "api.me.token_edge_cases": "local"}


def chk(check_id: str, status: str = "passed", severity: str = "high") -> dict[str, Any]:
    return {
        "id": check_id,
        "check_id": check_id,
        "area": check_id.split(".")[0],
        "severity": severity,
        "status": status,
    }


def base_checks() -> list[dict[str, Any]]:
    return [
        chk("api.target.gateway_fingerprint", severity="critical"),
        chk("e2e.target.site_identity", severity="critical"),
        chk("infra.target.account_region", severity="critical"),
        chk("api.me.profile", severity="critical"),
        chk("e2e.login.full_flow", severity="critical"),
        chk("infra.alarms.state", severity="critical"),
        chk("security.headers", severity="low"),
    ]


def spec(check_id: str, severity: str = "high", **kw: Any) -> CheckSpec:
    fields = {"writes": "none", "scope": SCOPES.get(check_id, "all"), **kw}
    return CheckSpec(id=check_id, area=check_id.split(".")[0], severity=severity, **fields)  # type: ignore[arg-type]


def catalog_of(checks: list[dict[str, Any]], *extra: CheckSpec) -> dict[str, CheckSpec]:
    return {**{c["id"]: spec(c["id"], c["severity"]) for c in checks}, **{s.id: s for s in extra}}


def facts(
    checks: list[dict[str, Any]],
    kind: str = "local",
    catalog: Mapping[str, CheckSpec] | None = None,
    run: Mapping[str, Any] | None = None,
    **kw: Any,
) -> Facts:
    env = {"kind": kind, "required_areas": kw.pop("required_areas", ["api", "e2e", "infra"]), **kw.pop("env", {})}
    cat = catalog_of(checks) if catalog is None else catalog
    return build_facts(checks, env, cat, run, **{"manifest_problems": [], "redaction_hits": [], **kw})


def with_status(check_id: str, status: str, severity: str | None = None) -> list[dict[str, Any]]:
    checks = base_checks()
    for c in checks:
        if c["id"] == check_id:
            c["status"] = status
            c["severity"] = severity or c["severity"]
            return checks
    return [*checks, chk(check_id, status, severity or "high")]


def test_all_passed_is_go() -> None:
    decision = decide(facts(base_checks()))
    assert decision.verdict == GO and decision.fired == []
    assert decision.reasons == ["go: no gate rule fired"]


@pytest.mark.parametrize("status", ["failed", "error", "blocked", "warning", "skipped"])
def test_preflight_not_passed_is_inconclusive(status: str) -> None:
    decision = decide(facts(with_status("api.target.gateway_fingerprint", status)))
    assert decision.verdict == INCONCLUSIVE and "preflight" in decision.fired
    assert "api.target.gateway_fingerprint" in decision.reasons[0]


def test_target_of_a_switched_off_area_skipped_is_not_a_preflight_failure() -> None:
    checks = [*base_checks(), chk("crm.target.portal_identity", "skipped", "critical")]
    assert decide(facts(checks, env={"crm": {"enabled": False}})).verdict == GO
    assert decide(facts(checks)).verdict == INCONCLUSIVE  # crm not switched off: the skip is fail-closed


@pytest.mark.parametrize("status", ["error", "blocked", "skipped"])
def test_applicable_critical_check_not_run_is_inconclusive(status: str) -> None:
    decision = decide(facts(with_status("api.me.profile", status)))
    assert decision.verdict == INCONCLUSIVE and decision.fired == ["critical-not-run"]


def test_critical_skip_outside_its_scope_is_fine_but_inside_is_not() -> None:
    checks = with_status("infra.alarms.metrics_emitted", "skipped", "critical")  # scope real
    assert decide(facts(checks, kind="local")).verdict == GO
    assert decide(facts(checks, kind="aws")).verdict == INCONCLUSIVE


def test_high_check_skipped_is_not_inconclusive() -> None:
    assert decide(facts(with_status("api.login.fresh_pkce", "skipped", "high"))).verdict == GO


def test_required_area_that_executed_nothing_is_inconclusive() -> None:
    checks = [*base_checks(), chk("load.api.read_latency", "skipped", "high")]
    decision = decide(facts(checks, required_areas=["api", "load"]))
    assert decision.verdict == INCONCLUSIVE and decision.fired == ["required-area-empty"]
    assert decision.reasons[0].endswith(": load")


def test_empty_run_is_inconclusive() -> None:
    assert decide(facts([], required_areas=[])).verdict == INCONCLUSIVE


@pytest.mark.parametrize(
    ("field", "rule"),
    [
        ("manifest_problems", "manifest"),
        ("redaction_hits", "redaction"),
        ("selfcheck_problems", "count-self-check"),
    ],
)
def test_integrity_problems_are_inconclusive(field: str, rule: str) -> None:
    decision = decide(facts(base_checks(), **{field: ["evidence/x.txt missing"]}))
    assert decision.verdict == INCONCLUSIVE and decision.fired == [rule]


@pytest.mark.parametrize("severity", ["critical", "high"])
def test_critical_or_high_failure_is_no_go(severity: str) -> None:
    decision = decide(facts(with_status("api.login.fresh_pkce", "failed", severity)))
    assert decision.verdict == NO_GO and decision.fired == ["blocking-failure"]


def test_alarm_in_alarm_is_no_go() -> None:
    decision = decide(facts(with_status("infra.alarms.state", "failed")))
    assert decision.verdict == NO_GO and "alarm-in-alarm" in decision.fired


def test_alarm_after_load_is_no_go_even_at_medium_severity() -> None:
    decision = decide(facts(with_status("load.alarms_quiet_after", "failed", "medium")))
    assert decision.verdict == NO_GO and decision.fired == ["alarm-in-alarm"]


def test_medium_and_low_findings_still_go_and_are_listed() -> None:
    checks = [*base_checks(), chk("api.me.silent_refresh", "failed", "medium"), chk("api.content_type_json", "warning")]
    decision = decide(facts(checks))
    assert decision.verdict == GO
    assert "api.me.silent_refresh" in decision.reasons[0] and "api.content_type_json" in decision.reasons[0]


def test_waived_high_failure_does_not_block() -> None:
    assert decide(facts(with_status("api.login.fresh_pkce", "waived", "high"))).verdict == GO


def test_a_definite_failure_outranks_inconclusive_and_every_fired_rule_is_a_reason() -> None:
    # SPEC §11.3: definite failures dominate (Argo Rollouts: a failed measurement beats an inconclusive one).
    checks = with_status("api.login.fresh_pkce", "failed", "critical")
    decision = decide(facts(checks, redaction_hits=["a.txt contains a live secret"]))
    assert decision.verdict == NO_GO
    assert decision.fired == ["redaction", "blocking-failure"] and len(decision.reasons) == 2


def test_policy_is_data_with_unique_ids_and_descriptions() -> None:
    ids = [rule.id for rule in POLICY]
    assert len(ids) == len(set(ids)) and all(rule.description for rule in POLICY)
    assert {rule.verdict for rule in POLICY} == {INCONCLUSIVE, NO_GO}


def test_exit_codes_and_ordering() -> None:
    assert [exit_code_for(v) for v in (GO, NO_GO, INCONCLUSIVE, "bogus")] == [0, 1, 2, ExitCode.INCONCLUSIVE]
    assert dominant(GO, NO_GO) == NO_GO and dominant(INCONCLUSIVE, GO) == INCONCLUSIVE
    assert dominant(INCONCLUSIVE, NO_GO) == NO_GO and dominant(GO, "bogus") == INCONCLUSIVE
