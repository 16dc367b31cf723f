"""Provision what operations watches: log group and retention, SNS alarm topic, metric alarms, dashboard.

moto 5.2 has no PutCompositeAlarm: the composite is recorded as a known gap (checked from the template instead, SPEC
§6, §10) rather than failing or being skipped silently.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sandbox.aws.context import Context, Created
from sandbox.aws.crmsync import DLQ_ALARM, FAULT_DLQ_ALARM_METRIC, WRONG_DLQ_METRIC

__all__ = ["COMPOSITE_ALARM_GAP", "FIRING_ALARM", "HANDLERS"]

COMPOSITE_ALARM_GAP = "cloudwatch:PutCompositeAlarm not implemented by moto"
FIRING_ALARM = "LambdaErrorsAlarm"  # the alarm provision.alarm_firing puts into ALARM

_ALARM_SETTINGS = (
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "ActionsEnabled",
    "AlarmActions",
    "OKActions",
)


def create_log_group(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    logs = ctx.client("logs")
    name = props["LogGroupName"]
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=name)
    retention = 14 if ctx.has_fault_for("provision.retention_14", logical_id) else props.get("RetentionInDays")
    if retention is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(retention))
    return Created(ref=name, attrs={"Arn": ctx.arn("logs", f"log-group:{name}:*")})


def create_topic(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    arn = ctx.client("sns").create_topic(Name=props["TopicName"])["TopicArn"]  # idempotent by name
    return Created(ref=arn, attrs={"TopicArn": arn, "TopicName": props["TopicName"]})


def create_subscription(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    arn = ctx.client("sns").subscribe(
        TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"]
    )
    return Created(ref=arn["SubscriptionArn"])


def create_metric_alarm(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    cloudwatch = ctx.client("cloudwatch")
    name = props["AlarmName"]
    request = {key: props[key] for key in _ALARM_SETTINGS if key in props}
    if ctx.has_fault_for("provision.no_alarm_actions", logical_id):
        request.update(ActionsEnabled=False, AlarmActions=[], OKActions=[])
    if ctx.has_fault_for(FAULT_DLQ_ALARM_METRIC, logical_id) and logical_id == DLQ_ALARM:
        request["MetricName"] = WRONG_DLQ_METRIC
    cloudwatch.put_metric_alarm(AlarmName=name, **request)  # an upsert: re-runs converge
    if ctx.has_fault("provision.alarm_firing") and logical_id == FIRING_ALARM:
        cloudwatch.set_alarm_state(
            AlarmName=name, StateValue="ALARM", StateReason="Sandbox fault provision.alarm_firing"
        )
    return Created(ref=name, attrs={"Arn": ctx.arn("cloudwatch", f"alarm:{name}")})


def record_composite_alarm(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    # Not attempted: moto answers PutCompositeAlarm with a 500 and a server-side traceback.
    ctx.gaps.append(f"{logical_id}: {COMPOSITE_ALARM_GAP}")
    name = props["AlarmName"]
    return Created(ref=name, attrs={"Arn": ctx.arn("cloudwatch", f"alarm:{name}")})


def create_dashboard(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    name = props["DashboardName"]
    if ctx.has_fault("provision.no_dashboard"):
        return Created(ref=name)  # the real deployment has none (SPEC §2)
    ctx.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=props["DashboardBody"])
    return Created(ref=name)


HANDLERS = {
    "AWS::Logs::LogGroup": create_log_group,
    "AWS::SNS::Topic": create_topic,
    "AWS::SNS::Subscription": create_subscription,
    "AWS::CloudWatch::Alarm": create_metric_alarm,
    "AWS::CloudWatch::CompositeAlarm": record_composite_alarm,
    "AWS::CloudWatch::Dashboard": create_dashboard,
}
