"""Rollback procedures: real names, alias moves, and never a partial `--environment` update (SPEC §12)."""

from __future__ import annotations

import re

from reports import finish_run
from reports.rollback import merge_env_var, rollback_plan

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
    assert "- `infra.lambda.env_vars` (this run: ✅ passed)" in text
    assert_no_partial_environment_update(lines)


def test_no_alias_means_redeploying_the_previous_template(make_run) -> None:
    fx = make_run(env={"alias": None}, snapshots=False, missing=["infra.dynamodb.tables"])
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollback-procedures.md").read_text(encoding="utf-8")
    lines = code_lines(text)
    assert not any("update-alias" in ln for ln in lines)
    assert any(ln.startswith("aws cloudformation deploy --stack-name hedgehog-learn-local ") for ln in lines)
    assert "has no alias: redeploy the previous template version" in text
    assert "not collected (infra.dynamodb.tables not run)" in text
    assert_no_partial_environment_update(lines)


def test_env_merge_reads_changes_one_key_and_writes_the_full_map() -> None:
    lines = merge_env_var("fn", "us-west-2", "DYNAMODB_PROGRESS_TABLE", "t-recovered-${STAMP}", alias="live")
    assert lines[0].startswith("aws lambda get-function-configuration --function-name fn")
    assert (
        lines[1]
        == "jq --arg v \"t-recovered-${STAMP}\" '.DYNAMODB_PROGRESS_TABLE = $v' env-before.json > env-after.json"
    )
    assert lines[-1].startswith("aws lambda update-alias --function-name fn --name live")
    assert_no_partial_environment_update(lines)


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
