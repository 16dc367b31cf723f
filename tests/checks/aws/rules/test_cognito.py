"""checks/aws/rules/cognito.py (the Cognito app client): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from checks.aws import evaluate
from tests.checks.aws.rules.cases import Case, as_aws, assert_outcome, cases
from tests.checks.aws.stack import StaticSnapshot

CASES: list[Case] = [
    (
        "infra.cognito.pool",
        "MFA on",
        lambda s, e: s["cognito"]["pool"].update(MfaConfiguration="ON"),
        "failed",
        "MfaConfiguration",
    ),
    (
        "infra.cognito.pool",
        "digits optional",
        lambda s, e: s["cognito"]["pool"]["Policies"]["PasswordPolicy"].update(RequireNumbers=False),
        "failed",
        "RequireNumbers",
    ),
    (
        "infra.cognito.client",
        "client secret",
        lambda s, e: s["cognito"]["client"].update(HasSecret=True),
        "failed",
        "client secret",
    ),
    (
        "infra.cognito.client",
        "implicit flow",
        lambda s, e: s["cognito"]["client"].update(AllowedOAuthFlows=["code", "implicit"]),
        "failed",
        "AllowedOAuthFlows",
    ),
    (
        "infra.cognito.client",
        "no token revocation",
        lambda s, e: s["cognito"]["client"].update(EnableTokenRevocation=False),
        "failed",
        "EnableTokenRevocation",
    ),
    (
        "infra.cognito.domain",
        "domain creating",
        lambda s, e: s["cognito"]["domain"].update(Status="CREATING"),
        "failed",
        "Status",
    ),
    (
        "infra.cognito.domain",
        "real, managed login v2",
        lambda s, e: (as_aws(s, e), s["cognito"]["domain"].update(ManagedLoginVersion=2)),
        "failed",
        "ManagedLoginVersion",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)


def test_real_callback_sets_may_hold_more_than_the_env_declares(healthy):
    env, sections, _ = healthy
    sections, env = copy.deepcopy(sections), SimpleNamespace(**{**vars(env), "kind": "aws"})
    sections["cognito"]["client"]["CallbackURLs"].append("https://hedgehog.cloud/auth/callback")
    assert evaluate(StaticSnapshot(sections, env), "infra.cognito.client").status == "passed"
    sections["cognito"]["client"]["CallbackURLs"] = ["https://hedgehog.cloud/auth/callback"]
    assert evaluate(StaticSnapshot(sections, env), "infra.cognito.client").status == "failed"
