"""The verdict against the reference set (SPEC §11.3): what the catalog says this run must cover, not what pytest
collected. Deselected, uncollected and cut-short checks, PARTIAL RUN, interruption, smoke scope, waivers that name
no check, and findings grouped by their real severity."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

import pytest

from checks.catalog import load_catalog
from checks.vocabulary import is_preflight
from reports import finish_run
from reports.gate import run_gate
from reports.manifest import DOCUMENT_NAMES
from reports.policy import MAX_SUBJECTS, build_facts, decide, reference_set

CONFIRMATION = "production-deployment-confirmation.md"
WAIVER = {"reason": "tracked in HHL-42", "owner": "ops@hedgehog.cloud", "expires": "2026-03-31"}


def finished(fx: Any, **run_fields: Any):
    run = dataclasses.replace(fx.run, **run_fields)
    return finish_run(fx.run_dir, run, fx.checks, environment=fx.environment, secrets=[])


def results_of(outcome) -> dict[str, Any]:
    return json.loads(outcome.results_path.read_text(encoding="utf-8"))


def gate_cli(run_dir) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reports.gate", str(run_dir)], capture_output=True, text=True, check=False
    )


def assert_partial_everywhere(fx: Any, outcome, line: str) -> None:
    assert outcome.partial == line
    for path in outcome.documents:
        head = path.read_text(encoding="utf-8").split("| Run id |", 1)[0]
        assert f"**{line}**" in head, path.name
    assert not (fx.run_dir / CONFIRMATION).exists()


# --- the reference set ------------------------------------------------------------------------------------------


def test_complete_run_of_the_fixture_covers_the_local_reference_set(make_run) -> None:
    fx = make_run()
    outcome = finished(fx)
    results = results_of(outcome)
    assert outcome.verdict == "GO" and outcome.partial == "" and results["run"]["partial"] is None
    ref = reference_set(build_facts([], fx.environment, load_catalog()))
    assert results["run"]["reference_checks"] == len(ref)
    assert not any(cid.startswith("crm.") for cid in ref)  # crm.enabled false
    assert "security.login.nonce" in ref  # writes: fault, kind local
    assert "infra.alarms.metrics_emitted" not in ref  # scope real


def test_reference_set_on_aws_drops_local_and_fault_checks_and_keeps_real_ones() -> None:
    catalog = load_catalog()
    ref = reference_set(build_facts([], {"kind": "aws", "crm": {"enabled": True}}, catalog))
    assert all(catalog[cid].writes != "fault" and catalog[cid].scope != "local" for cid in ref)
    assert "infra.alarms.metrics_emitted" in ref and "crm.target.portal_identity" in ref
    assert "security.login.nonce" not in ref


def test_deselected_critical_check_is_inconclusive_and_partial(make_run) -> None:
    """`pytest -k "not open_redirect"`: the item was never collected, so it has no result at all."""
    fx = make_run(missing=["security.login.open_redirect"])
    outcome = finished(fx)
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
    assert outcome.reasons[0] == (
        "critical-did-not-run: a critical check of the reference set has no result "
        "(deselected by -k/-m/paths, not collected, or cut short): security.login.open_redirect (did not run)"
    )
    partial = results_of(outcome)["run"]["partial"]
    m = results_of(outcome)["run"]["reference_checks"]
    assert partial == {
        "line": f"PARTIAL RUN: 1 of {m} reference checks not run",
        "scope": "full",
        "reference": m,
        "not_run": 1,
        "ids": ["security.login.open_redirect"],
        "interrupted": "",
    }
    assert_partial_everywhere(fx, outcome, partial["line"])
    summary = (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
    assert "- `security.login.open_redirect` (critical, did not run): in the reference set but no result" in summary
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2 and result.partial == partial["line"]
    assert gate_cli(fx.run_dir).returncode == 2


def test_deselected_medium_check_is_go_but_partial_without_confirmation(make_run) -> None:
    fx = make_run(missing=["api.me.silent_refresh"])
    outcome = finished(fx)
    assert outcome.verdict == "GO" and outcome.exit_code == 0
    assert outcome.partial.startswith("PARTIAL RUN: 1 of ") and outcome.partial.endswith(" reference checks not run")
    assert f"partial: {outcome.partial}: api.me.silent_refresh" in outcome.reasons
    assert_partial_everywhere(fx, outcome, outcome.partial)
    assert {p.name for p in outcome.documents} == set(DOCUMENT_NAMES) - {CONFIRMATION}
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    assert f"`{CONFIRMATION}` not written: {outcome.partial} (a partial or interrupted run is never confirmed)" in final
    done = gate_cli(fx.run_dir)
    assert done.returncode == 0 and done.stdout.rstrip().endswith(f"[{outcome.partial}]")


def test_confirmation_planted_beside_a_partial_run_is_inconclusive(make_run) -> None:
    fx = make_run(missing=["api.me.silent_refresh"])
    finished(fx)
    (fx.run_dir / CONFIRMATION).write_text("# Production deployment confirmation\n", encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2
    assert any(f"{CONFIRMATION} present although PARTIAL RUN: 1 of" in r for r in result.reasons)


def test_removing_run_partial_from_results_is_caught_by_the_gate(make_run) -> None:
    fx = make_run(missing=["api.me.silent_refresh"])
    outcome = finished(fx)
    results = results_of(outcome)
    results["run"]["partial"] = None
    outcome.results_path.write_text(json.dumps(results), encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2
    assert any("run.partial differs from the recomputed reference set" in r for r in result.reasons)


def test_parametrized_results_count_for_their_base_id() -> None:
    catalog = {cid: load_catalog()[cid] for cid in ("api.target.gateway_fingerprint", "api.me.invalid_tokens")}
    checks = [
        {"id": "api.target.gateway_fingerprint", "area": "api", "severity": "critical", "status": "passed"},
        {"id": "api.me.invalid_tokens[expired]", "area": "api", "severity": "critical", "status": "passed"},
    ]
    decision = decide(build_facts(checks, {"kind": "local"}, catalog))
    assert decision.verdict == "GO" and decision.partial is None


def test_reasons_name_at_most_ten_ids_then_say_how_many_more(make_run) -> None:
    catalog = load_catalog()
    ref = reference_set(build_facts([], make_run().environment, catalog))
    critical = [cid for cid in ref if catalog[cid].severity == "critical" and not is_preflight(cid)]
    assert len(critical) > MAX_SUBJECTS + 2
    fx = make_run(missing=critical)
    outcome = finished(fx)
    [line] = [r for r in outcome.reasons if r.startswith("critical-did-not-run:")]
    assert line.count("(did not run)") == MAX_SUBJECTS and line.endswith(f", +{len(critical) - MAX_SUBJECTS} more")


# --- interruption -----------------------------------------------------------------------------------------------


def test_interrupted_run_is_inconclusive_without_confirmation_and_the_gate_exits_2(make_run) -> None:
    fx = make_run()  # every check has a result: the interruption alone decides
    outcome = finished(fx, interrupted="SIGTERM")
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
    assert outcome.reasons[0] == "interrupted: the run was interrupted before it finished: SIGTERM"
    line = outcome.partial
    assert line.startswith("PARTIAL RUN: 0 of ") and line.endswith(" (interrupted: SIGTERM)")
    assert results_of(outcome)["run"]["partial"]["interrupted"] == "SIGTERM"
    assert_partial_everywhere(fx, outcome, line)
    done = gate_cli(fx.run_dir)
    assert done.returncode == 2 and done.stdout.startswith(f"INCONCLUSIVE {fx.run.id}: interrupted: ")


def test_run_cut_short_by_maxfail_names_what_did_not_run(make_run) -> None:
    fx = make_run({"api.callback.success": "failed"}, missing=["e2e.logout.reverts", "load.throttling"])
    outcome = finished(fx, interrupted="--maxfail=1 reached")
    # SPEC §11.3: the failure is definite, so it dominates; the interruption and what did not run are listed too.
    assert outcome.verdict == "NO-GO" and outcome.exit_code == 1
    fired = [r.split(":", 1)[0] for r in outcome.reasons]
    assert fired[:2] == ["interrupted", "critical-did-not-run"] and "blocking-failure" in fired
    assert outcome.partial.startswith("PARTIAL RUN: 2 of ")


# --- smoke scope ------------------------------------------------------------------------------------------------

SMOKE = (
    "api.target.gateway_fingerprint",
    "api.target.auth_me_fingerprint",
    "e2e.target.site_identity",
    "e2e.target.hosted_ui_identity",
    "infra.target.account_region",
    "api.me.profile",
    "e2e.login.full_flow",
    "infra.lambda.env_vars",
    "infra.alarms.state",
    "security.headers",
)


@pytest.fixture
def smoke_catalog(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The real catalog with `smoke: true` on SMOKE, wherever the reports read the catalog."""
    catalog = {cid: dataclasses.replace(spec, smoke=cid in SMOKE) for cid, spec in load_catalog().items()}
    for module in ("reports.finish", "reports.context", "reports.gate"):
        monkeypatch.setattr(f"{module}.load_catalog", lambda: catalog)
    return catalog


def test_smoke_run_whose_smoke_set_passed_is_go_for_that_scope(make_run, smoke_catalog) -> None:
    fx = make_run()
    fx.checks = [c for c in fx.checks if c.id in SMOKE]  # `-m smoke` selected only these
    outcome = finished(fx, scope="smoke")
    assert outcome.verdict == "GO" and outcome.exit_code == 0 and outcome.partial == ""
    assert outcome.headline == "GO (smoke scope)" and outcome.scope == "smoke"
    assert outcome.reasons[0] == f"go: no gate rule fired (smoke scope: {len(SMOKE)} reference checks)"
    assert results_of(outcome)["run"]["reference_checks"] == len(SMOKE)
    for path in outcome.documents:
        assert "\n**GO (smoke scope)** · env `local`" in path.read_text(encoding="utf-8"), path.name
    assert not (fx.run_dir / CONFIRMATION).exists()  # a smoke run is not a full verification
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    assert "not a full verification" in final
    result = run_gate(fx.run_dir)
    assert result.exit_code == 0 and result.line().startswith(f"GO (smoke scope) {fx.run.id}: ")


def test_smoke_scope_requires_only_the_required_areas_it_has_entries_in() -> None:
    catalog = {cid: dataclasses.replace(load_catalog()[cid], smoke=True) for cid in ("api.me.profile",)}
    catalog["load.api.read_latency"] = load_catalog()["load.api.read_latency"]  # smoke: false
    checks = [{"id": "api.me.profile", "area": "api", "severity": "critical", "status": "passed"}]
    env = {"kind": "local", "required_areas": ["api", "load"]}
    assert decide(build_facts(checks, env, catalog, {"scope": "smoke"})).verdict == "GO"
    full = decide(build_facts(checks, env, catalog, {"scope": "full"}))
    assert full.verdict == "INCONCLUSIVE" and "required-area-empty" in full.fired


def test_smoke_run_missing_a_critical_smoke_check_is_inconclusive(make_run, smoke_catalog) -> None:
    fx = make_run()
    fx.checks = [c for c in fx.checks if c.id in SMOKE and c.id != "api.me.profile"]
    outcome = finished(fx, scope="smoke")
    assert outcome.verdict == "INCONCLUSIVE" and outcome.headline == "INCONCLUSIVE (smoke scope)"
    assert outcome.partial == f"PARTIAL RUN: 1 of {len(SMOKE)} reference checks not run"


def test_smoke_scope_with_no_smoke_entry_in_the_catalog_is_inconclusive() -> None:
    checks = [{"id": "api.me.profile", "area": "api", "severity": "critical", "status": "passed"}]
    catalog = {"api.me.profile": dataclasses.replace(load_catalog()["api.me.profile"], smoke=False)}
    decision = decide(build_facts(checks, {"kind": "local"}, catalog, {"scope": "smoke"}))
    assert decision.verdict == "INCONCLUSIVE" and decision.fired == ["empty-reference-set"]


def test_unknown_scope_is_inconclusive() -> None:
    catalog = {"api.me.profile": load_catalog()["api.me.profile"]}
    checks = [{"id": "api.me.profile", "area": "api", "severity": "critical", "status": "passed"}]
    decision = decide(build_facts(checks, {"kind": "local"}, catalog, {"scope": "quick"}))
    assert decision.verdict == "INCONCLUSIVE" and "unknown-scope" in decision.fired


# --- waivers ----------------------------------------------------------------------------------------------------


def test_waived_critical_failure_is_listed_among_the_reasons_and_in_the_risk_statement(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    fx.environment["waivers"] = [{"check": "api.me.profile", **WAIVER}]
    outcome = finished(fx)
    assert outcome.verdict == "GO"
    line = "waived: api.me.profile (critical) waived by ops@hedgehog.cloud until 2026-03-31: tracked in HHL-42"
    assert line in outcome.reasons
    risk = (fx.run_dir / CONFIRMATION).read_text(encoding="utf-8").split("## Risk statement", 1)[1]
    assert f"- {line}" in risk.split("## Sign-off", 1)[0]
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    assert "**`api.me.profile`** (critical, waived)" in final.split("## Findings", 1)[1]
    assert run_gate(fx.run_dir).exit_code == 0


def test_waiver_naming_no_catalog_check_fails_closed(make_run) -> None:
    fx = make_run()
    fx.environment["waivers"] = [{"check": "api.me.profil", **WAIVER}]
    outcome = finished(fx)
    assert outcome.verdict == "INCONCLUSIVE" and outcome.exit_code == 2
    assert (
        "waiver-config: a waiver names no catalog check (configuration error): waiver for api.me.profil"
        in (outcome.reasons[0])
    )
    assert any("api.me.profil ignored: it names no catalog check" in r for r in outcome.reasons)
    assert not (fx.run_dir / CONFIRMATION).exists()
    assert run_gate(fx.run_dir).exit_code == 2


def test_expired_waiver_is_ignored_with_a_warning_reason(make_run) -> None:
    fx = make_run({"security.headers": "failed"})
    fx.environment["waivers"] = [{"check": "security.headers", **WAIVER, "expires": "2026-02-28"}]
    outcome = finished(fx)
    assert outcome.verdict == "GO"  # low: a finding, not a blocker
    assert "warning: waiver for security.headers ignored: expired on 2026-02-28" in outcome.reasons
    assert results_of(outcome)["checks"][-1]["status"] != "waived"
    assert next(c for c in results_of(outcome)["checks"] if c["id"] == "security.headers")["status"] == "failed"
    assert run_gate(fx.run_dir).exit_code == 0


def test_gate_rejects_a_waiver_forged_into_results(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    outcome = finished(fx)
    results = results_of(outcome)
    check = next(c for c in results["checks"] if c["id"] == "api.me.profile")
    check.update(status="waived", waiver={"check": "api.me.profile", **WAIVER})
    from reports.counts import compute_counts

    results["counts"] = compute_counts(results["checks"])
    results["run"]["verdict"] = "GO"
    outcome.results_path.write_text(json.dumps(results), encoding="utf-8")
    result = run_gate(fx.run_dir)
    assert result.exit_code == 2
    assert any("api.me.profile is waived without a valid waiver" in r for r in result.reasons)


# --- findings grouped by their real severity --------------------------------------------------------------------


def test_high_warning_is_a_high_finding_everywhere(make_run) -> None:
    fx = make_run({"infra.lambda.config": "warning"})
    outcome = finished(fx)
    assert outcome.verdict == "GO"
    assert outcome.reasons[0] == (
        "go: no gate rule fired; open findings by severity: high: infra.lambda.config (warning); "
        "medium: e2e.auth.nav_and_persistence (warning)"
    )
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    critical_high = final.split("## Findings", 1)[1].split("## Known weaknesses", 1)[0]
    assert "**`infra.lambda.config`** (high, warning)" in critical_high and "None." not in critical_high
    assert "- **high**: `infra.lambda.config` (warning)" in critical_high
    assert "- **medium**: `e2e.auth.nav_and_persistence` (warning)" in critical_high
    risk = (fx.run_dir / CONFIRMATION).read_text(encoding="utf-8").split("## Risk statement", 1)[1]
    assert "medium/low" not in risk
    assert risk.index("**high**") < risk.index("`infra.lambda.config` (high, warning)") < risk.index("**medium**")
    assert risk.index("**medium**") < risk.index("`e2e.auth.nav_and_persistence` (medium, warning)")


def test_step_summary_says_partial_and_scope(make_run, tmp_path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    fx = make_run(missing=["api.me.silent_refresh"])
    outcome = finished(fx)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Rollout verification: GO (local)") and f"**{outcome.partial}**" in text
