"""checks/aws/rules/ops.py (operations hygiene): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import pytest

from tests.checks.aws.rules.cases import Case, alarm, as_aws, assert_outcome, cases

CASES: list[Case] = [
    ("security.ops.alarm_actions", "real, no confirmed subscriber", as_aws, "failed", "confirmed subscriptions"),
    (
        "security.ops.alarm_actions",
        "no topic (real dev)",
        lambda s, e: s["sns"].update(configured=None, topic=None),
        "failed",
        "sns_topic is null",
    ),
    (
        "security.ops.alarm_actions",
        "actions disabled",
        lambda s, e: alarm(s, "lambda-errors").update(ActionsEnabled=False),
        "failed",
        "ActionsEnabled",
    ),
    (
        "security.ops.dashboard",
        "no dashboard (real dev)",
        lambda s, e: s["cloudwatch"].update(dashboard=None, errors={"dashboard": "GetDashboard: ResourceNotFound: x"}),
        "failed",
        "ResourceNotFound",
    ),
    (
        "security.ops.dashboard",
        "dashboard misses the API",
        lambda s, e: s["apigatewayv2"].update(api_id="otherapi"),
        "failed",
        "otherapi",
    ),
    (
        "security.ops.explicit_memory_timeout",
        "undeclared (framework defaults)",
        lambda s, e: s["cloudformation"]["template"]["functions"][0].update(MemorySize=None, Timeout=None),
        "failed",
        "not declared",
    ),
    (
        "security.iam.least_privilege",
        "dynamodb:*",
        lambda s, e: s["iam"]["inline_policies"]["dynamodb"]["Statement"][0]["Action"].append("dynamodb:*"),
        "failed",
        "dynamodb:*",
    ),
    (
        "security.iam.least_privilege",
        "Scan and DeleteItem (real)",
        lambda s, e: s["iam"]["inline_policies"]["dynamodb"]["Statement"][0]["Action"].extend(
            ["dynamodb:Scan", "dynamodb:DeleteItem"]
        ),
        "failed",
        "dynamodb:Scan",
    ),
    (
        "security.iam.least_privilege",
        "admin wildcard",
        lambda s, e: s["iam"]["inline_policies"]["logs"]["Statement"][0].update(Action="*"),
        "failed",
        "logs: *",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)
