"""Every command the launch documents render is executed here with the real AWS CLI against the sandbox's moto,
and its effect asserted with boto3 (issue 10). A command the sandbox cannot run is rendered behind a
`# [not run against the sandbox] <reason>` line; the test asserts that line and, where the sequence needs the
command's effect to go on, stands in for it with the closest sandbox equivalent (named in STAND_INS)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from environments.loader import load_environment
from environments.models import SandboxState
from reports.checklist import NOT_IN_SANDBOX, alarm_test_commands, deploy_commands
from reports.rollback import rollback_plan
from reports.snapshots import lambda_row
from tests.sandbox import sandbox_process

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = REPO_ROOT / ".venv" / "bin" / "aws"
COMMAND_TIMEOUT_S = 300
COOKIE_SECRET_STAND_IN = "rendered-commands-test-cookie-secret-" + "x" * 16


@dataclass
class Target:
    environment: dict[str, Any]
    state: SandboxState
    code_zip: Path

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.state.aws_endpoint_url,
            region_name=self.state.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    @property
    def fn(self) -> str:
        return str(self.environment["function_name"])


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    if not AWS_CLI.is_file():
        pytest.fail(f"{AWS_CLI} missing: the AWS CLI is a dev dependency (pip install -e '.[dev]')")
    state_file = tmp_path_factory.mktemp("rendered-commands") / "sandbox.json"
    sandbox = sandbox_process.start(state_file)
    try:
        environment = load_environment("local", sandbox_state=state_file).public_dict()
        zips = sorted((REPO_ROOT / "dist").glob("hhl_backend-*.zip"), key=lambda p: p.stat().st_mtime)
        yield Target(environment, sandbox.state(), zips[-1])
    finally:
        sandbox.stop()


def stand_ins(t: Target) -> dict[str, str]:
    """Skipped command (prefix) → what the sandbox does instead so the sequence can go on (None: nothing)."""
    bucket = "hedgehog-learn-local-artifacts"
    return {
        "make package": "",  # dist/ already holds the package the sandbox was started from
        # What CloudFormation does to the function on this deploy: point it at the uploaded object.
        "aws cloudformation deploy": f"aws lambda update-function-code --function-name {t.fn} --s3-bucket {bucket} "
        '--s3-key "$CODE_KEY" --query LastUpdateStatus --output text',
        # Code.Location of the version behind live: in the sandbox that code is the package in the code bucket.
        "curl -fsS -o live-code.zip": f"aws s3 cp s3://{bucket}/{t.code_zip.name} live-code.zip --only-show-errors",
    }


def script_for(lines: Sequence[str], substitutes: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """The bash script the document's lines make, with each command after a NOT_IN_SANDBOX marker replaced by its
    stand-in; returns the script and the (reason, skipped command) pairs."""
    body, skipped, reason = [], [], None
    for line in lines:
        if line.startswith(NOT_IN_SANDBOX):
            reason = line.removeprefix(NOT_IN_SANDBOX).strip()
            assert reason, f"marker without a reason: {line!r}"
            continue
        if reason is not None:
            prefix = next((p for p in substitutes if line.startswith(p)), None)
            assert prefix is not None, f"no sandbox stand-in for skipped command {line!r}"
            skipped.append((reason, line))
            body.append(substitutes[prefix])
            reason = None
            continue
        body.append(line)
    assert reason is None, "marker on the last line"
    return "set -euo pipefail\n" + "\n".join(body) + "\n", skipped


def run_lines(t: Target, lines: Sequence[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], list]:
    script, skipped = script_for(lines, stand_ins(t))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_")) or k == "AWS_CA_BUNDLE"}
    environ.update(
        {
            "PATH": f"{AWS_CLI.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "AWS_ENDPOINT_URL": t.state.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": t.state.required("region"),
            "AWS_PAGER": "",
            "HHL_AUTH_COOKIE_SECRET": COOKIE_SECRET_STAND_IN,
        }
    )
    options: dict[str, Any] = {"capture_output": True, "text": True, "timeout": COMMAND_TIMEOUT_S, "check": False}
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=environ, **options)
    assert done.returncode == 0, f"exit {done.returncode}\n--- script\n{script}\n--- stderr\n{done.stderr[-3000:]}"
    return done, skipped


def live_version(t: Target) -> str:
    return t.client("lambda").get_alias(FunctionName=t.fn, Name="live")["FunctionVersion"]


def set_live(t: Target, version: str) -> None:
    t.client("lambda").update_alias(FunctionName=t.fn, Name="live", FunctionVersion=version)


def variables(t: Target, qualifier: str) -> dict[str, str]:
    config = t.client("lambda").get_function_configuration(FunctionName=t.fn, Qualifier=qualifier)
    return dict(config["Environment"]["Variables"])


def current_lambda_row(t: Target) -> dict[str, Any]:
    lam = t.client("lambda")
    snapshot = {
        "function": lam.get_function_configuration(FunctionName=t.fn),
        "aliases": lam.list_aliases(FunctionName=t.fn)["Aliases"],
        "versions": [v["Version"] for v in lam.list_versions_by_function(FunctionName=t.fn)["Versions"]],
    }
    row = lambda_row(snapshot)
    assert row is not None
    return row


def test_alarm_test_commands_force_the_real_alarm_and_reset_it(target: Target, tmp_path: Path) -> None:
    lines = alarm_test_commands(target.environment)
    name = re.search(r"--alarm-name (\S+)", lines[0])[1]
    cloudwatch = target.client("cloudwatch")
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]] == [name]
    done, skipped = run_lines(target, lines[:2], tmp_path)
    assert skipped == []
    assert done.stdout.split() == ["ALARM"]
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "ALARM"
    run_lines(target, lines[2:], tmp_path)
    assert cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "OK"


def test_deploy_uploads_the_zip_publishes_and_moves_live(target: Target, tmp_path: Path) -> None:
    lines = deploy_commands(target.environment)
    (tmp_path / "dist").symlink_to(REPO_ROOT / "dist")
    lam = target.client("lambda")
    before = live_version(target)
    _, skipped = run_lines(target, lines, tmp_path)
    reasons = dict((cmd.split()[0] + " " + cmd.split()[1], reason) for reason, cmd in skipped)
    assert set(reasons) == {"make package", "aws cloudformation"}
    assert "moto's CloudFormation" in reasons["aws cloudformation"]
    body = target.client("s3").get_object(Bucket="hedgehog-learn-local-artifacts", Key=target.code_zip.name)
    assert body["ContentLength"] == target.code_zip.stat().st_size
    after = live_version(target)
    assert int(after) > int(before)
    config = lam.get_function_configuration(FunctionName=target.fn, Qualifier=after)
    expected_sha = base64.b64encode(hashlib.sha256(target.code_zip.read_bytes()).digest()).decode()
    assert config["CodeSha256"] == expected_sha
    assert config["Description"] == target.code_zip.name  # publish-version --description "$CODE_KEY"
    set_live(target, before)


def test_s2_moves_live_to_the_previous_version(target: Target, tmp_path: Path) -> None:
    row = current_lambda_row(target)
    plan = rollback_plan(target.environment, row)
    assert row["previous_version"] is not None
    _, skipped = run_lines(target, plan["s2"], tmp_path)
    assert skipped == []
    assert live_version(target) == row["previous_version"]
    set_live(target, row["live_version"])


def test_s3_throttles_to_zero_and_undo_removes_it(target: Target, tmp_path: Path) -> None:
    plan = rollback_plan(target.environment, current_lambda_row(target))
    lam = target.client("lambda")
    run_lines(target, plan["s3"], tmp_path)
    assert lam.get_function_concurrency(FunctionName=target.fn).get("ReservedConcurrentExecutions") == 0
    run_lines(target, plan["s3_undo"], tmp_path)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=target.fn)


def test_s4_restores_protects_and_switches_on_the_live_code_never_latest(target: Target, tmp_path: Path) -> None:
    plan = rollback_plan(target.environment, current_lambda_row(target))
    table = plan["tables"]["progress"]
    dynamodb, lam = target.client("dynamodb"), target.client("lambda")
    for n in range(3):
        dynamodb.put_item(TableName=table, Item={"PK": {"S": f"USER#s4-{n}"}, "SK": {"S": "PROGRESS#x"}})
    source_count = dynamodb.scan(TableName=table, Select="COUNT")["Count"]
    live = live_version(target)
    live_vars = variables(target, live)
    # After S2, $LATEST still holds the rolled-back release: plant a marker there that must not reach `live`.
    latest_vars = {**variables(target, "$LATEST"), "HHL_SANDBOX_FAULTS": "backend.relative_callback_location"}
    lam.update_function_configuration(FunctionName=target.fn, Environment={"Variables": latest_vars}, MemorySize=1024)
    settings = ("Handler", "Runtime", "MemorySize", "Timeout")
    live_config = lam.get_function_configuration(FunctionName=target.fn, Qualifier=live)

    done, skipped = run_lines(target, plan["s4"]["progress"], tmp_path)

    assert [cmd.split()[0] for _, cmd in skipped] == ["curl"]
    assert "Code.Location" in skipped[0][0]
    recovered = [n for n in dynamodb.list_tables()["TableNames"] if n.startswith(f"{table}-recovered-")]
    assert len(recovered) == 1, recovered
    new_table = dynamodb.describe_table(TableName=recovered[0])["Table"]
    assert new_table["TableStatus"] == "ACTIVE"
    assert dynamodb.scan(TableName=recovered[0], Select="COUNT")["Count"] == source_count
    assert f"items: source={source_count} recovered={source_count}" in done.stdout
    pitr = dynamodb.describe_continuous_backups(TableName=recovered[0])["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert new_table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert new_table["DeletionProtectionEnabled"] is True

    new_live = live_version(target)
    assert int(new_live) > int(live)
    # The merge kept every other key, took the live version's map (not $LATEST's) and changed exactly one key.
    assert variables(target, new_live) == {**live_vars, "DYNAMODB_PROGRESS_TABLE": recovered[0]}
    code = {
        q: lam.get_function_configuration(FunctionName=target.fn, Qualifier=q)["CodeSha256"] for q in (live, new_live)
    }
    assert code[live] == code[new_live]
    new_config = lam.get_function_configuration(FunctionName=target.fn, Qualifier=new_live)
    assert {k: new_config[k] for k in settings} == {k: live_config[k] for k in settings}  # not $LATEST's 1024 MB
    assert live_vars["AUTH_COOKIE_SECRET"] not in done.stdout + done.stderr  # no command echoed the map
    assert not list(tmp_path.glob("env-*.json"))  # the secret-bearing files are removed
    dynamodb.update_table(TableName=recovered[0], DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=recovered[0])
    set_live(target, live)
