"""checks/aws/rules/dynamodb.py (the DynamoDB tables): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import pytest

from tests.checks.aws.rules.cases import Case, assert_outcome, cases, table

CASES: list[Case] = [
    (
        "infra.dynamodb.tables",
        "GSI keys only",
        lambda s, e: table(s, "users")["GlobalSecondaryIndexes"][0]["Projection"].update(ProjectionType="KEYS_ONLY"),
        "failed",
        "GSI1 projection",
    ),
    (
        "infra.dynamodb.tables",
        "table missing",
        lambda s, e: (
            s["dynamodb"]["tables"].update(badges=None),
            s["dynamodb"]["errors"].update({"badges:describe_table": "ResourceNotFoundException: nope"}),
        ),
        "failed",
        "ResourceNotFoundException: nope",
    ),
    (
        "infra.dynamodb.billing_tags_protection",
        "serverless tags",
        lambda s, e: table(s, "users")["Tags"].update(ManagedBy="serverless-framework"),
        "failed",
        "tags",
    ),
    (
        "infra.dynamodb.billing_tags_protection",
        "no deletion protection",
        lambda s, e: table(s, "progress").update(DeletionProtectionEnabled=False),
        "failed",
        "deletion protection",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)
