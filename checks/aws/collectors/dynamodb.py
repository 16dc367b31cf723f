"""DynamoDB: the env's four tables only (describe, continuous backups, tags); never a table listing."""

from __future__ import annotations

from checks.aws.collectors._util import pick
from checks.aws.names import table_names
from checks.aws.schema import DynamoDBData, Index, Table, TableFields
from checks.aws.snapshot import CollectContext


def _table(ctx: CollectContext, role: str, name: str) -> Table | None:
    ddb = ctx.client("dynamodb")
    described = ctx.attempt(f"{role}:describe_table", lambda: ddb.describe_table(TableName=name)["Table"])
    if described is None:
        return None
    table: Table = {
        **pick(described, TableFields),
        "GlobalSecondaryIndexes": [pick(i, Index) for i in described.get("GlobalSecondaryIndexes") or []],
    }
    backups = ctx.attempt(
        f"{role}:continuous_backups",
        lambda: ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"],
    )
    table["PointInTimeRecovery"] = (backups or {}).get("PointInTimeRecoveryDescription") if backups else None
    tags = ctx.attempt(
        f"{role}:tags", lambda: ddb.list_tags_of_resource(ResourceArn=described["TableArn"]).get("Tags", [])
    )
    table["Tags"] = {t["Key"]: t["Value"] for t in tags} if tags is not None else None
    return table


def collect(ctx: CollectContext) -> DynamoDBData:
    names = table_names(ctx.env)
    return {
        "names": names,
        "tables": {role: _table(ctx, role, name) for role, name in names.items()},
    }
