"""checks/aws/rules/target.py (preflight, stack): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import pytest

from tests.checks.aws.rules.cases import Case, as_aws, assert_outcome, cases

CASES: list[Case] = [
    (
        "infra.target.account_region",
        "other account",
        lambda s, e: setattr(e, "account_id", "999999999999"),
        "failed",
        "expected '999999999999'",
    ),
    (
        "infra.target.account_region",
        "account unknown",
        lambda s, e: setattr(e, "account_id", None),
        "warning",
        "account_id is null",
    ),
    ("infra.target.account_region", "wrong region", lambda s, e: setattr(e, "region", "eu-west-1"), "failed", "region"),
    (
        "infra.target.account_region",
        "no stack",
        lambda s, e: s["cloudformation"].update(stack=None, errors={"stack": "DescribeStacks: ValidationError: gone"}),
        "failed",
        "ValidationError: gone",
    ),
    (
        "infra.cfn.stack_status",
        "rolled back",
        lambda s, e: s["cloudformation"]["stack"].update(StackStatus="UPDATE_ROLLBACK_COMPLETE"),
        "failed",
        "ROLLBACK",
    ),
    (
        "infra.cfn.stack_status",
        "real, drifted",
        lambda s, e: (
            as_aws(s, e),
            s["cloudformation"]["stack"].update(DriftInformation={"StackDriftStatus": "DRIFTED"}),
        ),
        "failed",
        "drift DRIFTED",
    ),
    ("infra.cfn.stack_status", "real, drift never checked", as_aws, "warning", "drift never detected"),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)
