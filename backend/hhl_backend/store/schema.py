"""The four tables of SPEC §4.1 as `create_table` requests, for tests and benchmarks that run without the sandbox.

Deployments use backend/template.yaml (the sandbox provisioner walks it); this mirrors the same definition so that
moto-only tests see exactly the keys, GSIs, streams, SSE, PITR and tags that production has.
"""

from __future__ import annotations

from typing import Any

from hhl_backend.store.keys import TableNames


def table_request(name: str, *, stage: str, with_gsi: bool) -> dict[str, Any]:
    """create_table arguments for one table as SPEC §4.1 describes it."""
    keys = ["PK", "SK", "GSI1PK", "GSI1SK"] if with_gsi else ["PK", "SK"]
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k in keys],
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
        "DeletionProtectionEnabled": True,
        "Tags": [
            {"Key": "Project", "Value": "hedgehog-learn"},
            {"Key": "Environment", "Value": stage},
            {"Key": "ManagedBy", "Value": "cloudformation"},
            {"Key": "Component", "Value": "external-sso"},
        ],
    }
    if with_gsi:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    return request


def create_tables(client: Any, tables: TableNames, *, stage: str = "local") -> None:
    """Create the four tables (GSI1 on users and enrollments only) and switch PITR on."""
    for name, with_gsi in (
        (tables.users, True),
        (tables.enrollments, True),
        (tables.progress, False),
        (tables.badges, False),
    ):
        client.create_table(**table_request(name, stage=stage, with_gsi=with_gsi))
        client.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
