"""The four tables (SPEC §4.1): infra.dynamodb.tables/streams/pitr_enabled/sse_enabled/billing_tags_protection."""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws.model import Judgement, View, rule
from checks.aws.names import stage_of
from checks.aws.rules.expected import GSI1_KEY_SCHEMA, KEY_SCHEMA, STATIC_TAGS, TABLES_WITH_GSI1
from checks.aws.schema import Table


def tables(view: View, j: Judgement) -> Iterator[tuple[str, Table]]:
    """(role, table) for each described table; a table that could not be described is a failure quoting why."""
    data = view.section("dynamodb")
    for role, name in data["names"].items():
        table = data["tables"].get(role)
        if table is None:
            errors = data.get("errors", {})
            j.fail(f"{name}: {errors.get(f'{role}:describe_table', 'not described')}")
            continue
        yield role, table


@rule("infra.dynamodb.tables", "dynamodb")
def table_shape(view: View, j: Judgement) -> None:
    """Four ACTIVE tables with the env names; PK/SK; GSI1 (ALL) ACTIVE on users and enrollments."""
    for role, table in tables(view, j):
        name = table["TableName"]
        j.expect(f"{name} status", "ACTIVE", table.get("TableStatus"))
        j.expect(f"{name} keys", KEY_SCHEMA, table.get("KeySchema"))
        if role not in TABLES_WITH_GSI1:
            continue
        gsi = next((i for i in table.get("GlobalSecondaryIndexes", []) if i.get("IndexName") == "GSI1"), None)
        if gsi is None:
            j.fail(f"{name}: no GSI1")
            continue
        j.expect(f"{name} GSI1 keys", GSI1_KEY_SCHEMA, gsi.get("KeySchema"))
        j.expect(f"{name} GSI1 projection", "ALL", (gsi.get("Projection") or {}).get("ProjectionType"))
        # moto omits IndexStatus; an absent status is not a failure, a non-ACTIVE one is.
        status = gsi.get("IndexStatus", "ACTIVE")
        j.expect(f"{name} GSI1 status", "ACTIVE", status)


@rule("infra.dynamodb.streams", "dynamodb")
def streams(view: View, j: Judgement) -> None:
    """Streams enabled with NEW_AND_OLD_IMAGES on all four tables."""
    for _, table in tables(view, j):
        spec = table.get("StreamSpecification") or {}
        actual = spec.get("StreamViewType") if spec.get("StreamEnabled") else "disabled"
        j.expect(f"{table['TableName']} stream", "NEW_AND_OLD_IMAGES", actual)


@rule("infra.dynamodb.pitr_enabled", "dynamodb")
def pitr(view: View, j: Judgement) -> None:
    """Point-in-time recovery ENABLED (the report shows LatestRestorableDateTime)."""
    for role, table in tables(view, j):
        name = table["TableName"]
        description = table.get("PointInTimeRecovery")
        if description is None:
            error = view.error("dynamodb", f"{role}:continuous_backups") or "continuous backups not described"
            j.fail(f"{name}: {error}")
            continue
        j.expect(f"{name} PITR", "ENABLED", description.get("PointInTimeRecoveryStatus"))
        j.actual[f"{name} LatestRestorableDateTime"] = description.get("LatestRestorableDateTime")


@rule("infra.dynamodb.sse_enabled", "dynamodb")
def sse(view: View, j: Judgement) -> None:
    """Server-side encryption with KMS: SSEDescription.Status ENABLED on all four tables."""
    for _, table in tables(view, j):
        # No SSEDescription = the AWS-owned default key, which SPEC §4.1 does not accept.
        description = table.get("SSEDescription") or {}
        j.expect(f"{table['TableName']} SSE", "ENABLED", description.get("Status", "not enabled (AWS-owned key)"))
        j.actual[f"{table['TableName']} SSEType"] = description.get("SSEType")


@rule("infra.dynamodb.billing_tags_protection", "dynamodb")
def billing_tags_protection(view: View, j: Judgement) -> None:
    """PAY_PER_REQUEST, the four tags, deletion protection on. [reference] the `ManagedBy=cloudformation` value and
    deletion protection are our template's (SPEC §4.1: the real deployment has `serverless-framework` and none):
    elsewhere they are notes, and the four tag keys must merely be present."""
    reference = getattr(view.env, "profile", "reference") == "reference"
    wanted_tags = {**STATIC_TAGS, "Environment": stage_of(view.env)}
    for role, table in tables(view, j):
        name = table["TableName"]
        j.expect(f"{name} billing", "PAY_PER_REQUEST", (table.get("BillingModeSummary") or {}).get("BillingMode"))
        protection = table.get("DeletionProtectionEnabled")
        if reference:
            j.expect(f"{name} deletion protection", True, protection)
        elif protection is not True:
            j.actual[f"{name} deletion protection"] = protection
            j.note(f"[reference] {name}: deletion protection {protection!r}")
        tags = table.get("Tags")
        if tags is None:
            j.fail(f"{name}: {view.error('dynamodb', f'{role}:tags') or 'tags not listed'}")
            continue
        actual = {key: tags.get(key) for key in wanted_tags}
        if reference:
            j.expect(f"{name} tags", wanted_tags, actual)
            continue
        values = {k: v for k, v in wanted_tags.items() if k != "ManagedBy"}
        j.expect(
            f"{name} tags",
            {**values, "ManagedBy": "present"},
            actual,
            ok={k: actual[k] for k in values} == values and bool(actual.get("ManagedBy")),
        )
        if actual.get("ManagedBy") != wanted_tags["ManagedBy"]:
            j.note(f"[reference] {name}: ManagedBy={actual.get('ManagedBy')!r}")
