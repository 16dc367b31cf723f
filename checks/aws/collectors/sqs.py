"""SQS: the CRM consumer's on-failure queue (the env's DLQ name and every queue a stream mapping sends failures
to): attributes and message counts only. Messages are never received, so no body can reach a snapshot."""

from __future__ import annotations

from checks.aws.collectors._util import pick
from checks.aws.names import crm_dlq_name, crm_enabled
from checks.aws.schema import LambdaData, Queue, QueueAttributes, SqsData, fields
from checks.aws.snapshot import CollectContext


def destination_arns(lambda_section: LambdaData) -> list[str]:
    """The SQS ARNs the consumer's stream mappings name as their on-failure destination."""
    crm = lambda_section.get("crm")
    mappings = (crm.get("mappings") or {}).values() if crm else []
    arns = {
        str(((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination") or "")
        for listed in mappings
        for m in listed or []
    }
    return sorted(a for a in arns if a.startswith("arn:") and a.split(":")[2] == "sqs")


def _queue(ctx: CollectContext, name: str, owner: str | None) -> Queue | None:
    sqs = ctx.client("sqs")
    kwargs = {"QueueName": name} | ({"QueueOwnerAWSAccountId": owner} if owner else {})
    url = ctx.attempt(f"queue:{name}", lambda: sqs.get_queue_url(**kwargs)["QueueUrl"])
    if url is None:
        return None
    attributes = ctx.attempt(
        f"queue:{name}",
        lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(fields(QueueAttributes)))["Attributes"],
    )
    if attributes is None:
        return None
    counts = {k: int(v) for k, v in attributes.items() if k.startswith("ApproximateNumberOf")}
    return pick({"QueueName": name, **attributes, **counts}, Queue)


def collect(ctx: CollectContext) -> SqsData:
    if not crm_enabled(ctx.env):
        return {"dlq_name": None, "destinations": [], "queues": {}}
    dlq = crm_dlq_name(ctx.env)
    destinations = destination_arns(ctx.snapshot.get("lambda"))
    # name → owner account (None: the caller's); a destination ARN carries both.
    wanted: dict[str, str | None] = {dlq: None}
    for arn in destinations:
        parts = arn.split(":")
        wanted.setdefault(parts[5], parts[4])
    return {
        "dlq_name": dlq,
        "destinations": destinations,
        "queues": {name: _queue(ctx, name, owner) for name, owner in wanted.items()},
    }
