"""Rollback procedures: real names, alias moves, and never a partial `--environment` update (SPEC §12)."""

from __future__ import annotations

import json
import re

from reports import finish_run
from reports.checklist import NOT_IN_SANDBOX
from reports.rollback import REHEARSAL_NAME, merge_env_var, rollback_plan

PARTIAL_ENV = re.compile(r"--environment\s+(?!\"\$\(jq -c '\{Variables: \.\}' env-after\.json\)\")")


def code_lines(markdown: str) -> list[str]:
    lines, inside = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def assert_no_partial_environment_update(lines: list[str]) -> None:
    """Every `--environment` must write the full map read just before by get-function-configuration."""
    for index, line in enumerate(lines):
        if "update-function-configuration" in line and "--environment" in line:
            assert not PARTIAL_ENV.search(line), line
            before = lines[:index]
            assert any("get-function-configuration" in b and "env-before.json" in b for b in before), line
            assert any(b.startswith("jq --arg") and "env-after.json" in b for b in before), line
        assert "Variables={" not in line and "--environment '{" not in line, line


def test_rendered_rollback_uses_real_names_and_versions_from_the_run(make_run) -> None:
    fx = make_run({"api.me.profile": "failed"})
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollback-procedures.md").read_text(encoding="utf-8")
    lines = code_lines(text)
    assert (
        "aws lambda update-alias --function-name hedgehog-learn-local-api --name live --function-version 2 "
        "--region us-west-2" in lines
    )
    assert "alias `live` currently at version 3, previous published version 2" in text
    assert any("put-function-concurrency" in ln and "--reserved-concurrent-executions 0" in ln for ln in lines)
    assert any("delete-function-concurrency --function-name hedgehog-learn-local-api" in ln for ln in lines)
    assert any(
        "restore-table-to-point-in-time --source-table-name hedgehog-learn-progress-local "
        "--target-table-name hedgehog-learn-progress-local-recovered-${STAMP}" in ln
        for ln in lines
    )
    assert "| hedgehog-learn-progress-local | ENABLED | 2026-03-01T10:19:00.000Z | 60 s |" in text
    assert "pytest --env local -m smoke" in lines
    curl = next(i for i, ln in enumerate(lines) if ln.startswith("curl -fsS -o live-code.zip"))
    assert lines[curl - 1].startswith(f"{NOT_IN_SANDBOX} moto's Code.Location is not a downloadable URL")
    assert "- `infra.lambda.env_vars` (this run: ✅ passed)" in text
    assert_no_partial_environment_update(lines)


def test_no_alias_means_redeploying_the_previous_template(make_run) -> None:
    fx = make_run(env={"alias": None}, snapshots=False, missing=["infra.dynamodb.tables"])
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollback-procedures.md").read_text(encoding="utf-8")
    lines = code_lines(text)
    assert not any("update-alias" in ln for ln in lines)
    deploy = next(ln for ln in lines if ln.startswith("aws cloudformation deploy --stack-name hedgehog-learn-local "))
    assert "--parameter-overrides Stage=local " in deploy and 'CodeS3Key="$CODE_KEY"' in deploy
    checkout = lines.index("git checkout <previous release tag> -- backend")
    assert lines[checkout - 1].startswith(NOT_IN_SANDBOX) and lines[lines.index(deploy) - 1].startswith(NOT_IN_SANDBOX)
    assert not any("publish-version" in ln for ln in lines[checkout:])  # no alias to move
    assert "has no alias: redeploy the previous template version" in text
    assert "not collected (infra.dynamodb.tables not run)" in text
    assert_no_partial_environment_update(lines)


def test_env_merge_reads_changes_one_key_and_writes_the_full_map() -> None:
    lines = merge_env_var("fn", "us-west-2", "DYNAMODB_PROGRESS_TABLE", "t-recovered-${STAMP}", alias=None)
    assert lines[0].startswith("umask 077") and lines[-1].startswith("rm -f env-before.json env-after.json")
    assert lines[1].startswith("aws lambda get-function-configuration --function-name fn")
    assert (
        lines[2]
        == "jq --arg v \"t-recovered-${STAMP}\" '.DYNAMODB_PROGRESS_TABLE = $v' env-before.json > env-after.json"
    )
    assert not any("publish-version" in ln or "update-alias" in ln for ln in lines)
    assert_no_partial_environment_update(lines)


def test_env_merge_with_an_alias_builds_on_the_live_version_never_on_latest() -> None:
    """After S2 moved `live` back, $LATEST holds the bad release: S4 must not publish it behind `live` again."""
    lines = merge_env_var("fn", "us-west-2", "DYNAMODB_PROGRESS_TABLE", "t-recovered-${STAMP}", alias="live")
    assert lines[1].startswith("LIVE_VERSION=$(aws lambda get-alias --function-name fn --name live")
    read = next(ln for ln in lines if "env-before.json" in ln and "get-function-configuration" in ln)
    assert '--qualifier "$LIVE_VERSION"' in read
    code = next(ln for ln in lines if "update-function-code" in ln)
    fetch = lines[lines.index(code) - 1]
    assert '--qualifier "$LIVE_VERSION"' in fetch and "Code.Location" in fetch
    assert lines[lines.index(fetch) - 1].startswith(NOT_IN_SANDBOX)  # moto's Code.Location is not downloadable
    publish = next(i for i, ln in enumerate(lines) if ln.startswith("NEW_VERSION=$(aws lambda publish-version"))
    assert lines.index(code) < publish
    assert "CodeSha256" in lines[publish + 1] and '"$LIVE_VERSION"' in lines[publish + 1]
    assert lines[-2].startswith('aws lambda update-alias --function-name fn --name live --function-version "$NEW')
    updates = [ln for ln in lines if "update-function-" in ln]
    assert updates and all(ln.endswith("--query LastUpdateStatus --output text") for ln in updates)  # no env echo
    assert_no_partial_environment_update(lines)


def test_s4_restores_to_a_new_table_and_re_enables_protection_before_switching() -> None:
    plan = rollback_plan({"function_name": "fn", "alias": "live", "tables": {"progress": "t"}, "region": "r"}, None)
    lines = plan["s4"]["progress"]
    restore = next(i for i, ln in enumerate(lines) if "restore-table-to-point-in-time" in ln)
    assert "--target-table-name t-recovered-${STAMP}" in lines[restore]
    after = " ".join(lines[restore:])
    for needle in (
        "scan --table-name t --select COUNT",
        "scan --table-name t-recovered-${STAMP} --select COUNT",
        "update-continuous-backups --table-name t-recovered-${STAMP} "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
        "--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
        "update-table --table-name t-recovered-${STAMP} --deletion-protection-enabled",
    ):
        assert needle in after, needle
    switch = next(i for i, ln in enumerate(lines) if ln.startswith("LIVE_VERSION="))
    assert all(i < switch for i, ln in enumerate(lines) if "dynamodb" in ln)


def test_rehearsal_record_is_rendered_when_the_run_belongs_to_one(make_run) -> None:
    fx = make_run()
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollback-procedures.md").read_text(encoding="utf-8")
    assert "Not rehearsed in this run. `make rehearse-rollback`" in text
    fx = make_run()
    (fx.run_dir / REHEARSAL_NAME).write_text(
        json.dumps(
            {
                "env": "local",
                "started_at": "2026-03-01T10:00:00Z",
                "fault": "backend.relative_callback_location",
                "faulted_version": "3",
                "previous_version": "2",
                "gate_verdict": "NO-GO",
                "gate_command": "pytest --env local -m smoke",
                "gate_red": ["api.callback.success"],
                "s2_command": "aws lambda update-alias --function-name fn --name live --function-version 2",
                "live_after_s2": "2",
                "s2_seconds": 1.2,
                "smoke_command": "pytest --env local -m smoke",
                "detect_to_rollback_s": 2.5,
            }
        ),
        encoding="utf-8",
    )
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollback-procedures.md").read_text(encoding="utf-8")
    assert "Not rehearsed" not in text
    assert (
        "| Gate on the faulted release | **NO-GO** (`pytest --env local -m smoke`), red: `api.callback.success` |"
        in text
    )
    assert "→ `live` at version 2 in 1.2 s |" in text


def test_partial_update_detector_can_fail() -> None:
    bad = ["aws lambda update-function-configuration --function-name fn --environment Variables={A=1}"]
    try:
        assert_no_partial_environment_update(bad)
    except AssertionError:
        return
    raise AssertionError("the detector accepted a partial --environment map")


def test_plan_without_snapshot_names_the_unknown_previous_version() -> None:
    plan = rollback_plan({"function_name": "fn", "alias": "live", "tables": {}}, None)
    assert plan["s2"][-1].startswith(
        "aws lambda update-alias --function-name fn --name live --function-version <previous"
    )
