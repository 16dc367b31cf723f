"""Rollback commands (SPEC §11.2 `rollback-procedures.md`) built from the environment's real names.

Any Lambda environment change is rendered as a merge: read the full map, change one key with jq, write the full
map back. `update-function-configuration --environment` with a hand-written (partial) map replaces every other
variable, which once nearly wiped a production function (SPEC §12), so no such command is ever produced."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.catalog import load_catalog
from reports.checklist import NOT_IN_SANDBOX, deploy_commands

TABLE_VARIABLES = {
    "users": "DYNAMODB_USERS_TABLE",
    "enrollments": "DYNAMODB_ENROLLMENTS_TABLE",
    "progress": "DYNAMODB_PROGRESS_TABLE",
    "badges": "DYNAMODB_BADGES_TABLE",
}
# Re-run after any rollback: the catalog's smoke scope (preflights, login, /auth/me, one read, one event, the
# function's configuration and alias, alarms), exactly what the rendered `-m smoke` command selects.
POST_ROLLBACK_CHECKS = tuple(spec.id for spec in load_catalog().values() if spec.smoke)
STAMP_COMMAND = "STAMP=$(date -u +%Y%m%dT%H%M%SZ)"
# The environment map holds the function's secrets (AUTH_COOKIE_SECRET): owner-only files, removed at the end, and
# no command prints the map (updates answer with LastUpdateStatus only).
ENV_FILES_PRIVATE = "umask 077  # env-*.json hold the function's secret values"
ENV_FILES_CLEANUP = "rm -f env-before.json env-after.json live-code.zip"


def live_version_env_merge(fn: str, region: str, key: str, value: str, *, alias: str) -> list[str]:
    """Change one variable on a new version built from the code behind `alias`, keeping the full map.

    Never from `$LATEST`: after S2 moved the alias back, `$LATEST` still holds the bad release. The alias's version
    is read, its code and environment map taken, one key changed, and the alias moved to the version published
    from exactly that; the published code's sha256 is compared with the alias's before the alias moves."""
    return [
        ENV_FILES_PRIVATE,
        f"LIVE_VERSION=$(aws lambda get-alias --function-name {fn} --name {alias} --region {region} "
        "--query FunctionVersion --output text)",
        f'aws lambda get-function-configuration --function-name {fn} --qualifier "$LIVE_VERSION" --region {region} '
        "--query 'Environment.Variables' --output json > env-before.json",
        f"jq --arg v \"{value}\" '.{key} = $v' env-before.json > env-after.json",
        "diff <(jq -S . env-before.json) <(jq -S . env-after.json) || true  # review: exactly one key changed",
        f"{NOT_IN_SANDBOX} moto's Code.Location is not a downloadable URL (the sandbox's test takes the same zip "
        "from the code bucket)",
        f'curl -fsS -o live-code.zip "$(aws lambda get-function --function-name {fn} --qualifier "$LIVE_VERSION" '
        f'--region {region} --query Code.Location --output text)"',
        f"aws lambda update-function-code --function-name {fn} --zip-file fileb://live-code.zip --region {region} "
        "--query LastUpdateStatus --output text",
        f"aws lambda wait function-updated --function-name {fn} --region {region}",
        f'read -r LIVE_HANDLER LIVE_RUNTIME LIVE_MEMORY LIVE_TIMEOUT <<< "$(aws lambda get-function-configuration '
        f'--function-name {fn} --qualifier "$LIVE_VERSION" --region {region} '
        "--query '[Handler,Runtime,MemorySize,Timeout]' --output text)\"",
        f"aws lambda update-function-configuration --function-name {fn} --region {region} "
        '--handler "$LIVE_HANDLER" --runtime "$LIVE_RUNTIME" --memory-size "$LIVE_MEMORY" --timeout "$LIVE_TIMEOUT" '
        "--environment \"$(jq -c '{Variables: .}' env-after.json)\" --query LastUpdateStatus --output text",
        f"aws lambda wait function-updated --function-name {fn} --region {region}",
        f"NEW_VERSION=$(aws lambda publish-version --function-name {fn} --region {region} "
        "--query Version --output text)",
        f'test "$(aws lambda get-function-configuration --function-name {fn} --qualifier "$NEW_VERSION" '
        f'--region {region} --query CodeSha256 --output text)" = "$(aws lambda get-function-configuration '
        f'--function-name {fn} --qualifier "$LIVE_VERSION" --region {region} --query CodeSha256 --output text)"'
        "  # the new version runs the code that was live",
        f'aws lambda update-alias --function-name {fn} --name {alias} --function-version "$NEW_VERSION" '
        f"--region {region}",
        ENV_FILES_CLEANUP,
    ]


def merge_env_var(fn: str, region: str, key: str, value: str, *, alias: str | None) -> list[str]:
    """Commands that change one variable while keeping the full map: with an alias on a version built from the
    alias's own code and configuration (live_version_env_merge), without one on the function itself."""
    if alias:
        return live_version_env_merge(fn, region, key, value, alias=alias)
    return [
        ENV_FILES_PRIVATE,
        f"aws lambda get-function-configuration --function-name {fn} --region {region} "
        "--query 'Environment.Variables' --output json > env-before.json",
        f"jq --arg v \"{value}\" '.{key} = $v' env-before.json > env-after.json",
        "diff <(jq -S . env-before.json) <(jq -S . env-after.json) || true  # review: exactly one key changed",
        f"aws lambda update-function-configuration --function-name {fn} --region {region} "
        "--environment \"$(jq -c '{Variables: .}' env-after.json)\" --query LastUpdateStatus --output text",
        f"aws lambda wait function-updated --function-name {fn} --region {region}",
        ENV_FILES_CLEANUP,
    ]


def restore_table_commands(table: str, region: str) -> list[str]:
    """Restore to `<table>-recovered-<stamp>`, compare counts, and give the new table what the old one had:
    PITR, the NEW_AND_OLD_IMAGES stream and deletion protection (a restore brings none of them)."""
    target = f"{table}-recovered-${{STAMP}}"
    return [
        STAMP_COMMAND,
        f"aws dynamodb restore-table-to-point-in-time --source-table-name {table} "
        f"--target-table-name {target} --use-latest-restorable-time --region {region}",
        f"aws dynamodb wait table-exists --table-name {target} --region {region}",
        f"SOURCE_COUNT=$(aws dynamodb scan --table-name {table} --select COUNT --query Count --output text "
        f"--region {region})",
        f"RECOVERED_COUNT=$(aws dynamodb scan --table-name {target} --select COUNT --query Count --output text "
        f"--region {region})",
        'echo "items: source=$SOURCE_COUNT recovered=$RECOVERED_COUNT"  # review: recovered = count at the restore '
        "point",
        f"aws dynamodb update-continuous-backups --table-name {target} "
        f"--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true --region {region}",
        f"aws dynamodb update-table --table-name {target} "
        f"--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES --region {region}",
        f"aws dynamodb wait table-exists --table-name {target} --region {region}",
        f"aws dynamodb update-table --table-name {target} --deletion-protection-enabled --region {region}",
        f"aws dynamodb describe-continuous-backups --table-name {target} --region {region} "
        "--query 'ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus' "
        "--output text",
    ]


REHEARSAL_NAME = "rehearsal.json"


def load_rehearsal(run_dir: Path | None) -> dict[str, Any] | None:
    """The rollback rehearsal this run belongs to (`make rehearse-rollback` places its record in the run directory
    of its post-rollback smoke run); None when the run was not part of a rehearsal."""
    if run_dir is None:
        return None
    path = Path(run_dir) / REHEARSAL_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def rollback_plan(
    environment: Mapping[str, Any], lambda_row: Mapping[str, Any] | None, run_dir: Path | None = None
) -> dict[str, Any]:
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
            f"{NOT_IN_SANDBOX} rewrites the working tree: run it in a clean checkout of the release repository",
            "git checkout <previous release tag> -- backend",
            *deploy_commands(environment),  # the previous code and template, every parameter, no alias to move
        ]
    s3 = [
        f"aws lambda put-function-concurrency --function-name {fn} --reserved-concurrent-executions 0 --region {region}"
    ]
    s3_undo = [f"aws lambda delete-function-concurrency --function-name {fn} --region {region}"]
    s4 = {
        name: [
            *restore_table_commands(table, region),
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
        "rehearsal": load_rehearsal(run_dir),
    }
