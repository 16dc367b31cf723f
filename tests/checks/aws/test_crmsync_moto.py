"""The infra.crmsync.* checks on a provisioned sandbox stack whose consumer the test then breaks in one way each
(the defects the provisioner has no fault for): exactly the owning check turns red, and a planted token value never
reaches a snapshot. The provisioner's own faults (mapping disabled, no DLQ) are in test_against_moto.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from sandbox.aws.moto_server import MotoHandle
from tests.checks.aws.stack import CRM_TOKEN, REGION, collect, deploy, env_for, ship_log_line
from tests.checks.aws.test_against_moto import outcomes

FN = "hedgehog-learn-local-crm-sync"


def client(moto: MotoHandle, service: str) -> Any:
    """A writable client: only the test changes the target, never the harness."""
    return boto3.client(
        service, region_name=REGION, endpoint_url=moto.url, aws_access_key_id="t", aws_secret_access_key="t"
    )


def red_after(moto: MotoHandle, tmp_path: Path, breaks) -> tuple[dict[str, tuple[str, str]], str]:
    """Deploy, apply `breaks(moto)`, collect; (failed checks → (status, message), every snapshot's text)."""
    provisioned = deploy(moto)
    breaks(moto)
    env = env_for(provisioned, endpoint=moto.url)
    ship_log_line(moto.url, provisioned.log_group)
    results = outcomes(collect(moto, env, tmp_path), env)
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.json"))
    return {k: v for k, v in results.items() if v[0] == "failed"}, text


def token_in_environment(moto: MotoHandle) -> None:
    lam = client(moto, "lambda")
    variables = lam.get_function_configuration(FunctionName=FN)["Environment"]["Variables"]
    secret = client(moto, "secretsmanager").create_secret(Name="hubspot-token", SecretString=CRM_TOKEN)["ARN"]
    variables |= {"HUBSPOT_TOKEN": CRM_TOKEN, "HUBSPOT_TOKEN_SECRET_ARN": secret}
    lam.update_function_configuration(FunctionName=FN, Environment={"Variables": variables})


def dlq_alarm_on_the_wrong_metric(moto: MotoHandle) -> None:
    cw = client(moto, "cloudwatch")
    alarm = cw.describe_alarms(AlarmNames=["hedgehog-learn-local-crm-sync-dlq-depth"])["MetricAlarms"][0]
    keep = ("AlarmName", "Namespace", "Dimensions", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm")
    keep += ("Threshold", "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmActions", "OKActions")
    cw.put_metric_alarm(**{k: alarm[k] for k in keep if k in alarm}, MetricName="NumberOfMessagesSent")


def alias_removed(moto: MotoHandle) -> None:
    client(moto, "lambda").delete_alias(FunctionName=FN, Name="live")


def test_a_token_value_in_the_environment_is_named_and_never_copied(moto: MotoHandle, tmp_path: Path) -> None:
    red, text = red_after(moto, tmp_path, token_in_environment)
    assert set(red) == {"infra.crmsync.token_by_reference"}, red
    assert "['HUBSPOT_TOKEN'] hold a value" in red["infra.crmsync.token_by_reference"][1]
    assert CRM_TOKEN not in text and "pat-" not in text
    assert '"Name": "hubspot-token"' in text  # the referenced secret was described (DescribeSecret), not read


@pytest.mark.parametrize(
    ("breaks", "check", "fragment"),
    [
        (dlq_alarm_on_the_wrong_metric, "infra.crmsync.alarms", "AWS/SQS NumberOfMessagesSent"),
        (alias_removed, "infra.crmsync.function", "has no alias 'live'"),
    ],
    ids=["dlq alarm metric", "no alias"],
)
def test_each_consumer_defect_turns_exactly_its_check_red(moto, tmp_path, breaks, check, fragment) -> None:
    red, _ = red_after(moto, tmp_path, breaks)
    assert set(red) == {check}, red
    assert fragment in red[check][1]
