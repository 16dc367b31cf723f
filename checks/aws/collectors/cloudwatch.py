"""CloudWatch: the env's alarms (by name prefix), the dashboard, and which alarmed metrics have data."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from checks.aws.collectors._util import pages, pick
from checks.aws.names import dashboard_name
from checks.aws.schema import CloudWatchData, CompositeAlarm, MetricAlarm
from checks.aws.snapshot import CollectContext


def _metric_listed(cw: Any, alarm: dict[str, Any]) -> bool:
    found = cw.list_metrics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in alarm.get("Dimensions", [])],
    ).get("Metrics", [])
    return bool(found)


def collect(ctx: CollectContext) -> CloudWatchData:
    cw = ctx.client("cloudwatch")
    prefix = ctx.env.alarm_prefix
    metric_alarms = ctx.attempt(
        "alarms",
        lambda: pages(cw, "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"]),
    )
    composites = ctx.attempt(
        "composite_alarms",
        lambda: pages(cw, "describe_alarms", "CompositeAlarms", AlarmNamePrefix=prefix, AlarmTypes=["CompositeAlarm"]),
    )
    metrics_listed: dict[str, bool] = {}
    for alarm in metric_alarms or []:
        if alarm.get("Namespace") and alarm.get("MetricName"):
            listed = ctx.attempt(f"list_metrics:{alarm['AlarmName']}", partial(_metric_listed, cw, alarm))
            if listed is not None:
                metrics_listed[alarm["AlarmName"]] = listed
    name = dashboard_name(ctx.env)
    dashboard = ctx.attempt("dashboard", lambda: cw.get_dashboard(DashboardName=name))
    body = None
    if dashboard is not None:
        body = ctx.attempt("dashboard_body", lambda: json.loads(dashboard.get("DashboardBody") or "{}"))
    return {
        "alarm_prefix": prefix,
        # None (not {}) when the listing failed, so a rule reports the error instead of "alarm not found".
        "alarms": None if metric_alarms is None else {a["AlarmName"]: pick(a, MetricAlarm) for a in metric_alarms},
        "composite_alarms": None
        if composites is None
        else {a["AlarmName"]: pick(a, CompositeAlarm) for a in composites},
        "metrics_listed": metrics_listed,
        "dashboard_name": name,
        "dashboard": {"DashboardName": name, "DashboardArn": dashboard.get("DashboardArn"), "body": body}
        if dashboard is not None
        else None,
    }
