"""Provision `AWS::DynamoDB::Table` (SPEC §4.1): keys, GSIs, stream, SSE, PITR, tags, deletion protection.

moto's CloudFormation drops PITR and SSE, so the table is created with `create_table` (SSESpecification included)
and PITR is switched on with `update_continuous_backups`, as the template declares.
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.context import Context, Created
from sandbox.aws.template import NO_VALUE

__all__ = ["FAULT_TABLES", "HANDLERS"]

# Which table each table fault damages (SPEC §10: "the progress table", "one table").
FAULT_TABLES = {
    "provision.no_pitr": "ProgressTable",
    "provision.no_sse": "BadgesTable",
    "provision.no_stream": "EnrollmentsTable",
}

# Template property -> create_table parameter, for those passed through unchanged.
_PASSTHROUGH = (
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "DeletionProtectionEnabled",
    "Tags",
)


def _create_table_request(ctx: Context, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
    request = {key: props[key] for key in _PASSTHROUGH if key in props}
    stream = props.get("StreamSpecification")
    if stream and not _faulted(ctx, "provision.no_stream", logical_id):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    sse = props.get("SSESpecification")
    if sse and not _faulted(ctx, "provision.no_sse", logical_id):
        # The template says SSEEnabled/SSEType; the API says Enabled/SSEType.
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled")), "SSEType": sse.get("SSEType", "KMS")}
    return request


def _faulted(ctx: Context, fault: str, logical_id: str) -> bool:
    return ctx.has_fault(fault) and FAULT_TABLES[fault] == logical_id


def create_table(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    ddb = ctx.client("dynamodb")
    name = props["TableName"]
    try:
        description = ddb.describe_table(TableName=name)["Table"]
    except ddb.exceptions.ResourceNotFoundException:
        description = ddb.create_table(**_create_table_request(ctx, logical_id, props))["TableDescription"]
    pitr = dict(props.get("PointInTimeRecoverySpecification") or {"PointInTimeRecoveryEnabled": False})
    if _faulted(ctx, "provision.no_pitr", logical_id):
        pitr = {"PointInTimeRecoveryEnabled": False}
    elif not pitr.get("PointInTimeRecoveryEnabled"):
        pitr.pop("RecoveryPeriodInDays", None)  # the API rejects a window on a disabled PITR
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=pitr)
    attrs = {"Arn": description["TableArn"]}
    # A table without a stream (provision.no_stream) yields AWS::NoValue: what references its stream (the CRM sync
    # mapping, its role's stream statement) drops that entry instead of failing the whole walk.
    attrs["StreamArn"] = description.get("LatestStreamArn", NO_VALUE)
    return Created(ref=name, attrs=attrs)


HANDLERS = {"AWS::DynamoDB::Table": create_table}
