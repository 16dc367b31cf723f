"""Rollback commands (SPEC §11.2 `rollback-procedures.md`) built from the environment's real names.

Any Lambda environment change is rendered as a merge: read the full map, change one key with jq, write the full
map back. `update-function-configuration --environment` with a hand-written (partial) map replaces every other
variable, which once nearly wiped a production function (SPEC §12), so no such command is ever produced."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TABLE_VARIABLES = {
    "users": "DYNAMODB_USERS_TABLE",
    "enrollments": "DYNAMODB_ENROLLMENTS_TABLE",
    "progress": "DYNAMODB_PROGRESS_TABLE",
    "badges": "DYNAMODB_BADGES_TABLE",
}
# Re-run after any rollback: preflights, the function's identity and configuration, login and alarms.
POST_ROLLBACK_CHECKS = (
    "api.target.gateway_fingerprint",
    "api.target.auth_me_fingerprint",
    "e2e.target.site_identity",
    "e2e.target.hosted_ui_identity",
    "infra.target.account_region",
    "infra.lambda.config",
    "infra.lambda.env_vars",
    "infra.lambda.alias_live",
    "infra.alarms.state",
    "api.login.redirects_to_hosted_ui",
    "api.me.profile",
    "e2e.login.full_flow",
)
STAMP_COMMAND = "STAMP=$(date -u +%Y%m%dT%H%M%SZ)"


def merge_env_var(fn: str, region: str, key: str, value: str, *, alias: str | None) -> list[str]:
    """Commands that change one variable while keeping the full map; with an alias, publish and move it."""
    commands = [
        f"aws lambda get-function-configuration --function-name {fn} --region {region} "
        "--query 'Environment.Variables' --output json > env-before.json",
        f"jq --arg v \"{value}\" '.{key} = $v' env-before.json > env-after.json",
        "diff <(jq -S . env-before.json) <(jq -S . env-after.json) || true  # review: exactly one key changed",
        f"aws lambda update-function-configuration --function-name {fn} --region {region} "
        "--environment \"$(jq -c '{Variables: .}' env-after.json)\"",
        f"aws lambda wait function-updated --function-name {fn} --region {region}",
    ]
    if alias:
        commands += [
            f"NEW_VERSION=$(aws lambda publish-version --function-name {fn} --region {region} "
            "--query Version --output text)",
            f'aws lambda update-alias --function-name {fn} --name {alias} --function-version "$NEW_VERSION" '
            f"--region {region}",
        ]
    return commands


def rollback_plan(environment: Mapping[str, Any], lambda_row: Mapping[str, Any] | None) -> dict[str, Any]:
    """Everything the rollback template renders: names, versions from the run, and the command lists."""
    fn = str(environment.get("function_name") or "<function>")
    region = str(environment.get("region") or "us-west-2")
    stack = str(environment.get("stack_name") or "<stack>")
    alias = environment.get("alias") or None
    tables = {k: str(v) for k, v in (environment.get("tables") or {}).items()}
    live = (lambda_row or {}).get("live_version")
    previous = (lambda_row or {}).get("previous_version")
    if alias:
        target = previous or "<previous version: see list-versions-by-function>"
        s2 = [
            f"aws lambda get-alias --function-name {fn} --name {alias} --region {region}",
            f"aws lambda list-versions-by-function --function-name {fn} --region {region} "
            "--query 'Versions[].[Version,LastModified]' --output table",
            f"aws lambda update-alias --function-name {fn} --name {alias} --function-version {target} "
            f"--region {region}",
        ]
    else:
        s2 = [
            "git checkout <previous release tag> -- backend/template.yaml && make package",
            f"aws cloudformation deploy --stack-name {stack} --template-file backend/template.yaml "
            f"--capabilities CAPABILITY_NAMED_IAM --region {region}",
        ]
    s3 = [
        f"aws lambda put-function-concurrency --function-name {fn} --reserved-concurrent-executions 0 --region {region}"
    ]
    s3_undo = [f"aws lambda delete-function-concurrency --function-name {fn} --region {region}"]
    s4 = {
        name: [
            STAMP_COMMAND,
            f"aws dynamodb restore-table-to-point-in-time --source-table-name {table} "
            f"--target-table-name {table}-recovered-${{STAMP}} --use-latest-restorable-time --region {region}",
            f"aws dynamodb wait table-exists --table-name {table}-recovered-${{STAMP}} --region {region}",
            f"aws dynamodb scan --table-name {table} --select COUNT --region {region}",
            f"aws dynamodb scan --table-name {table}-recovered-${{STAMP}} --select COUNT --region {region}",
            *merge_env_var(
                fn,
                region,
                TABLE_VARIABLES.get(name, f"DYNAMODB_{name.upper()}_TABLE"),
                f"{table}-recovered-${{STAMP}}",
                alias=alias,
            ),
        ]
        for name, table in sorted(tables.items())
    }
    return {
        "function": fn,
        "region": region,
        "stack": stack,
        "alias": alias,
        "live_version": live,
        "previous_version": previous,
        "tables": tables,
        "s2": s2,
        "s3": s3,
        "s3_undo": s3_undo,
        "s4": s4,
        "post_rollback": f"pytest --env {environment.get('name', '<env>')} -m smoke",
        "post_rollback_checks": POST_ROLLBACK_CHECKS,
    }
