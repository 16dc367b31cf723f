"""The six documents: sections in SPEC §11.2 order for GO and NO-GO runs, confirmation only on GO, real names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reports import finish_run
from reports.manifest import DOCUMENT_NAMES
from reports.selfcheck import FOOTER

SECTIONS = {
    "test-results-summary.md": [
        "## Executive summary",
        "## Blockers",
        "## Failures",
        "## Warnings",
        "## Counts",
        "## Load",
        "## Known real weaknesses",
        "## Skipped and blocked",
        "## Recommendations",
        "## All checks",
        "## Appendix",
        "### Environment (without secrets)",
        "### Tool versions",
        "### Evidence index",
    ],
    "aws-deployment-verification.md": [
        "## Stack",
        "## Lambda",
        "## DynamoDB",
        "## Log group",
        "## Alarms",
        "## SNS",
        "## Dashboard",
        "## Cognito",
        "## API",
        "## Infra verdict",
    ],
    "rollout-checklist.md": [
        "## Prerequisites",
        "## Phase A: backend",
        "## Phase B: site",
        "## CRM",
        "## Monitoring",
        "## Rollback triggers",
        "## Success criteria",
        "## Sign-off",
    ],
    "rollback-procedures.md": [
        "## Targets",
        "## Decision tree",
        "## S1: site",
        "## S2: backend",
        "## S3: emergency stop",
        "## S4: data",
        "## Post-rollback",
        "## Rollback log",
    ],
    "production-deployment-confirmation.md": [
        "## Deployment identity",
        "## Endpoint probes",
        "## Infra checklist",
        "## Waived findings",
        "## Risk statement",
        "## Sign-off",
    ],
    "FINAL-REPORT.md": [
        "## Verdict and the rules that fired",
        "## Blockers",
        "## Findings",
        "## Changes vs baseline",
        "## Recommendations",
        "## Count matrix",
        "## Known weaknesses and waivers",
        "## Timings per area",
        "## Versions",
        "## Artifact manifest",
    ],
}


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^#{2,3} ", line) and not line.startswith("### `")]


def assert_sections_in_order(path: Path) -> None:
    found = [h for h in headings(path.read_text(encoding="utf-8")) if h in SECTIONS[path.name]]
    assert found == SECTIONS[path.name], path.name


def test_go_run_renders_all_six_documents_with_their_sections(make_run) -> None:
    fx = make_run()
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "GO"
    assert sorted(p.name for p in outcome.documents) == sorted(DOCUMENT_NAMES)
    for path in outcome.documents:
        assert_sections_in_order(path)


def test_no_go_run_has_no_confirmation_and_keeps_the_other_sections(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "NO-GO"
    names = {p.name for p in outcome.documents}
    assert names == set(DOCUMENT_NAMES) - {"production-deployment-confirmation.md"}
    assert not (fx.run_dir / "production-deployment-confirmation.md").exists()
    for path in outcome.documents:
        assert_sections_in_order(path)


def test_rerender_after_demotion_removes_a_stale_confirmation(make_run) -> None:
    fx = make_run()
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert (fx.run_dir / "production-deployment-confirmation.md").exists()
    fx.checks[3].status = "failed"  # api.callback.success (critical)
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert not (fx.run_dir / "production-deployment-confirmation.md").exists()


def test_every_document_ends_with_run_id_and_results_sha(make_run) -> None:
    from reports.manifest import sha256_file

    fx = make_run()
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    sha = sha256_file(outcome.results_path)
    for path in outcome.documents:
        last = path.read_text(encoding="utf-8").rstrip().splitlines()[-1]
        match = FOOTER.match(last)
        assert match and match["run"] == fx.run.id and match["sha"] == sha, path.name


def test_summary_shows_failure_details_transcript_and_no_passing_screenshot(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "test-results-summary.md").read_text(encoding="utf-8")
    section = text.split("### `api.me.profile`", 1)[1].split("## Warnings", 1)[0]
    assert "| status | `401` | `500` |" in section  # only the differing key, in full
    assert "[01-GET-auth-me.txt](evidence/api.me.profile/01-GET-auth-me.txt) (the last exchange" in section
    assert "api.me.profile body" in section  # the transcript excerpt
    assert text.index("## Failures") < text.index("## All checks")
    assert "![" not in text.replace("![Load", "")  # e2e.login.full_flow passed: its screenshot is not inline
    assert "[1 file](evidence/e2e.login.full_flow/)" in text or "(evidence/e2e.login.full_flow/)" in text
    assert "| pytest |" in text and "| chromium |" in text


def test_recommendations_quote_the_catalog_remediation_of_each_failed_check(make_run) -> None:
    from checks.catalog import load_catalog

    fx = make_run({"api.me.profile": "failed", "security.headers": "failed"})
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    final = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    recommendations = final.split("## Recommendations", 1)[1]
    for check_id in ("api.me.profile", "security.headers"):
        remediation = load_catalog()[check_id].remediation
        assert remediation, f"catalog has no remediation for {check_id}"
        assert f"`{check_id}`" in recommendations and remediation.split("`")[0][:40] in recommendations


def test_checklist_items_carry_check_ids_and_status_icons(make_run) -> None:
    fx = make_run(
        {"infra.lambda.env_vars": "failed", "e2e.auth.nav_and_persistence": "warning"},
        missing=["e2e.auth.enroll_outcome"],
    )
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollout-checklist.md").read_text(encoding="utf-8")
    assert "`infra.lambda.env_vars` ❌ failed" in text
    assert "`api.callback.success` ✅ passed" in text
    assert "`e2e.auth.enroll_outcome` ⏭ not run" in text
    items = [line for line in text.splitlines() if line.startswith("- [ ]")]
    assert items and all(line.endswith("manual") or re.search(r"`[a-z0-9_.]+` \S+ [a-z ]+$", line) for line in items)
    for trigger in (
        "Any alarm in ALARM for more than 5 minutes",
        "Lambda error rate above 10% for 10 minutes",
        "API 5xx rate above 5% for 5 minutes",
        "More than 5 auth support tickets in 30 minutes",
        "CRM sync failing for more than 20% of enrollments | manual",
        "`/auth/me` p95 above 2 s for 15 minutes | manual",
    ):
        assert trigger in text


def test_checklist_crm_section_names_only_registry_properties(make_run) -> None:
    from checks.crm import registry

    fx = make_run()
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollout-checklist.md").read_text(encoding="utf-8")
    crm = text.split("## CRM", 1)[1].split("## Monitoring", 1)[0]
    # Any `snake_case` name is property-like (the seed checklist's `first_enrollment_date`, `hs_contact_id`...).
    named = set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`", crm))
    assert named <= set(registry.names()), named - set(registry.names())
    assert named == set(registry.names())  # every registry property is listed, each with its type
    for prop in registry.PROPERTIES:
        assert f"`{prop.name}` ({prop.type})" in crm
    assert "set-alarm-state --alarm-name hedgehog-learn-local-lambda-errors" in text


def test_checklist_crm_names_fail_closed_on_a_name_outside_the_registry() -> None:
    from reports.checklist import crm_names

    assert crm_names("hhl_total_progress") == "`hhl_total_progress`"
    with pytest.raises(KeyError):
        crm_names("first_enrollment_date")


def test_aws_document_uses_snapshots_and_says_what_was_not_collected(make_run) -> None:
    fx = make_run({"infra.logs.group": "error"}, missing=["infra.apigw.routes", "infra.cognito.pool"])
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "aws-deployment-verification.md").read_text(encoding="utf-8")
    assert "not collected (infra.apigw.routes not run)" in text
    assert "| hedgehog-learn-local | CREATE_COMPLETE |" in text
    assert "`APP_STAGE`, `AUTH_COOKIE_SECRET`, `DYNAMODB_PROGRESS_TABLE`" in text
    assert "| hedgehog-learn-progress-local | ACTIVE | PK (HASH), SK (RANGE) |" in text
    assert "| hedgehog-learn-badges-local | not described |" in text
    assert "dynamodb / badges:describe_table: ResourceNotFoundException: table not found" in text
    assert "| hedgehog-learn-local-lambda-errors | AWS/Lambda Errors | Sum | 60 | 1 | 5.0 |" in text
    assert "| arn:aws:sns:us-west-2:123456789012:hedgehog-learn-local-alarms | 1 | 0 |" in text
    assert "| /aws/lambda/hedgehog-learn-local-api | 30 | 2026-03-01T10:15:00.000Z |" in text
    assert "- `hedgehog-learn-local`" in text.split("## Dashboard", 1)[1]
    assert "not collected (infra.cognito.pool not run)" in text


@pytest.mark.parametrize(
    ("overrides", "infra_verdict"),
    [
        ({}, "READY"),
        ({"infra.lambda.config": "failed"}, "NOT READY"),
        ({"infra.target.account_region": "error"}, "INCONCLUSIVE"),
    ],
)
def test_infra_verdict_considers_infra_and_ops_checks_only(make_run, overrides, infra_verdict) -> None:
    fx = make_run({"api.me.profile": "failed", **overrides})
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "aws-deployment-verification.md").read_text(encoding="utf-8")
    assert f"**{infra_verdict}** (from the infra" in text


def test_confirmation_ticks_only_passed_infra_checks_and_lists_risks(make_run) -> None:
    fx = make_run({"infra.lambda.config": "warning"})
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    assert outcome.verdict == "GO"
    text = (fx.run_dir / "production-deployment-confirmation.md").read_text(encoding="utf-8")
    assert "- [x] `infra.cfn.stack_status` (passed)" in text
    assert "- [ ] `infra.lambda.config` (warning)" in text
    risk = text.split("## Risk statement", 1)[1]
    assert "`infra.lambda.config` (high, warning)" in risk and "`e2e.auth.nav_and_persistence`" in risk
    assert "| Lambda | version `3` behind `live` |" in text and "| Code sha256 | `q0xT" in text
    assert "| deployed stack (GetTemplate Original) sha256 | `" + "ab" * 32 + "` |" in text
    assert "- the template hash is of the deployed stack" in text


def test_final_report_points_to_the_manifest_the_gate_verifies(make_run) -> None:
    import json

    from reports.manifest import sha256_file

    fx = make_run()
    outcome = finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "FINAL-REPORT.md").read_text(encoding="utf-8")
    manifest = json.loads((fx.run_dir / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((fx.run_dir / "results.json").read_text(encoding="utf-8"))
    shot = fx.run_dir / "evidence/e2e.login.full_flow/01-login-page.png"
    entry = {"path": "evidence/e2e.login.full_flow/01-login-page.png", "bytes": shot.stat().st_size}
    assert {**entry, "sha256": sha256_file(shot)} in manifest["artifacts"]
    assert manifest["artifacts"] == results["artifacts"] and manifest["files"] == len(results["artifacts"])
    assert f"{manifest['files']} files" in text and "[`manifest.json`](manifest.json)" in text
    assert sha256_file(shot) not in text  # the per-file list is manifest.json, not the report
    assert outcome.verdict == "GO"
