"""Provision the CRM sync consumer's own resources: its DLQ, the four stream mappings, and the SSM token (SPEC §7).

The function, version, alias, role and log group go through the generic handlers (lambda_, monitoring). moto keeps
the mappings as configuration only: records are delivered by sandbox.aws.stream_poller (see moto_server.py for why
moto itself must not). The token parameter is created outside the stack in AWS; locally it is put here.
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.context import Context, Created

__all__ = [
    "FAULT_DLQ_ALARM_METRIC",
    "FAULT_MAPPING_DISABLED",
    "FAULT_NO_ALIAS",
    "FAULT_NO_DLQ",
    "FAULT_TOKEN_IN_ENV",
    "HANDLERS",
    "put_token_parameter",
]

FAULT_MAPPING_DISABLED = "provision.crm_mapping_disabled"  # every mapping created with Enabled: false
FAULT_NO_DLQ = "provision.crm_no_dlq"  # no queue, no OnFailure destination
# Planted by the generic handlers on the consumer's resources (lambda_, monitoring):
FAULT_TOKEN_IN_ENV = "provision.crm_token_in_env"  # HUBSPOT_TOKEN=<the token> beside the parameter reference
FAULT_NO_ALIAS = "provision.crm_no_alias"  # no version, no alias `live`: the mappings name the bare function
FAULT_DLQ_ALARM_METRIC = "provision.crm_dlq_alarm_wrong_metric"  # the DLQ-depth alarm on NumberOfMessagesSent
DLQ_ALARM = "CrmSyncDlqDepthAlarm"
WRONG_DLQ_METRIC = "NumberOfMessagesSent"  # counts sends only: a queue already holding failures stays silent

# Template properties passed to create/update_event_source_mapping as they are.
_MAPPING_SETTINGS = (
    "Enabled",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FunctionResponseTypes",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "DestinationConfig",
)
_QUEUE_ATTRIBUTES = ("MessageRetentionPeriod", "SqsManagedSseEnabled", "VisibilityTimeout")


def create_queue(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    name = props["QueueName"]
    url = f"{ctx.endpoint_url}/{ctx.account_id}/{name}"
    attrs = {"Arn": ctx.arn("sqs", name), "QueueName": name, "QueueUrl": url}
    if ctx.has_fault(FAULT_NO_DLQ):
        return Created(ref=url, attrs=attrs)  # referenced by name only; nothing is there
    attributes = {key: str(props[key]).lower() for key in _QUEUE_ATTRIBUTES if key in props}
    tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
    url = ctx.client("sqs").create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]  # idempotent
    return Created(ref=url, attrs={**attrs, "QueueUrl": url})


def create_mapping(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    source = props.get("EventSourceArn")
    if not source:
        return Created(ref="")  # the table has no stream (provision.no_stream): nothing to map
    request = {key: props[key] for key in _MAPPING_SETTINGS if key in props}
    if ctx.has_fault(FAULT_MAPPING_DISABLED):
        request["Enabled"] = False
    if ctx.has_fault(FAULT_NO_DLQ):
        request.pop("DestinationConfig", None)
    lam = ctx.client("lambda")
    # A stream of this stage's tables is mapped by the consumer only, so the source identifies the mapping.
    existing = lam.list_event_source_mappings(EventSourceArn=source)["EventSourceMappings"]
    if existing:
        request.setdefault("DestinationConfig", {"OnFailure": {}})  # an update must also clear a destination
        mapping = lam.update_event_source_mapping(
            UUID=existing[0]["UUID"], FunctionName=props["FunctionName"], **request
        )
    else:
        mapping = lam.create_event_source_mapping(
            EventSourceArn=source,
            FunctionName=props["FunctionName"],
            StartingPosition=props["StartingPosition"],
            **request,
        )
    return Created(ref=mapping["UUID"], attrs={"EventSourceMappingArn": mapping.get("EventSourceMappingArn", "")})


def put_token_parameter(ctx: Context, name: str, token: str) -> None:
    """The HubSpot token as the SecureString the consumer reads by reference (the stand-in's token locally)."""
    ctx.client("ssm").put_parameter(Name=name, Value=token, Type="SecureString", Overwrite=True)


HANDLERS = {
    "AWS::SQS::Queue": create_queue,
    "AWS::Lambda::EventSourceMapping": create_mapping,
}
