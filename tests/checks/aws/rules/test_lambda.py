"""checks/aws/rules/lambda_.py (the Lambda function): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import pytest

from tests.checks.aws.rules.cases import Case, assert_outcome, cases

CASES: list[Case] = [
    (
        "infra.lambda.config",
        "failed state",
        lambda s, e: s["lambda"]["function"].update(State="Failed"),
        "failed",
        "State",
    ),
    (
        "infra.lambda.config",
        "wrong handler",
        lambda s, e: s["lambda"]["function"].update(Handler="index.handler"),
        "failed",
        "Handler",
    ),
    (
        "infra.lambda.env_vars",
        "missing variable",
        lambda s, e: s["lambda"]["function"]["Environment"]["names"].remove("COGNITO_ISSUER"),
        "failed",
        "COGNITO_ISSUER",
    ),
    (
        "infra.lambda.env_vars",
        "empty variable",
        lambda s, e: s["lambda"]["function"]["Environment"]["empty"].append("SITE_BASE_URL"),
        "failed",
        "SITE_BASE_URL",
    ),
    (
        "infra.lambda.alias_live",
        "alias on $LATEST",
        lambda s, e: s["lambda"]["aliases"][0].update(FunctionVersion="$LATEST"),
        "failed",
        "not a published version",
    ),
    (
        "infra.lambda.alias_live",
        "integration on the bare function",
        lambda s, e: s["apigatewayv2"]["integrations"][0].update(IntegrationUri=s["lambda"]["function"]["FunctionArn"]),
        "failed",
        "integration targets",
    ),
    (
        "infra.lambda.alias_live",
        "no alias (real dev)",
        lambda s, e: s["lambda"].update(aliases=[]),
        "failed",
        "no alias 'live'",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)
