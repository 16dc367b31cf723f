"""CloudWatch Logs: the function's log group (retention, size) and its most recent event (timestamp only;
messages are never copied into a snapshot); with CRM enabled, the consumer's log group too."""

from __future__ import annotations

import time
from typing import Any

from checks.aws.collectors._util import pick
from checks.aws.names import crm_enabled, crm_log_group
from checks.aws.schema import LogGroup, LogsData
from checks.aws.snapshot import CollectContext

RECENT_WINDOW_S = 600


def _recent_event(logs: Any, group: str, now_ms: int) -> int | None:
    """Timestamp (ms) of the newest event in the last 10 minutes, or None. FilterLogEvents, because a stream's
    lastEventTimestamp may lag by up to an hour in AWS."""
    paginator = logs.get_paginator("filter_log_events")
    newest: int | None = None
    config = {"MaxItems": 10_000, "PageSize": 1000}
    for page in paginator.paginate(
        logGroupName=group, startTime=now_ms - RECENT_WINDOW_S * 1000, PaginationConfig=config
    ):
        for event in page.get("events", []):
            newest = max(newest or 0, int(event["timestamp"]))
    return newest


def _group(ctx: CollectContext, item: str, name: str) -> dict[str, Any] | None:
    """The log group named exactly `name` (describe takes a prefix), or None with `errors[item]` saying why."""
    logs = ctx.client("logs")
    listed = ctx.attempt(item, lambda: logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", []))
    group = next((g for g in listed or [] if g.get("logGroupName") == name), None)
    if listed is not None and group is None:
        ctx.errors[item] = f"log group {name} not found"
    return group


def collect(ctx: CollectContext) -> LogsData:
    logs = ctx.client("logs")
    name = ctx.env.log_group
    group = _group(ctx, "group", name)
    now_ms = int(time.time() * 1000)
    recent = None
    last_stream_event = None
    if group is not None:
        recent = ctx.attempt("recent_event", lambda: _recent_event(logs, name, now_ms))
        streams = ctx.attempt(
            "streams",
            lambda: logs.describe_log_streams(logGroupName=name, orderBy="LastEventTime", descending=True, limit=1)[
                "logStreams"
            ],
        )
        last_stream_event = (streams or [{}])[0].get("lastEventTimestamp") if streams else None
    crm_group = None
    if crm_enabled(ctx.env):
        found = _group(ctx, "crm:group", crm_log_group(ctx.env))
        crm_group = pick(found, LogGroup) if found else None
    return {
        "log_group_name": name,
        "group": pick(group, LogGroup) if group else None,
        # The CRM consumer's own group (retention only: the consumer has no traffic of its own to wait for).
        "crm_log_group_name": crm_log_group(ctx.env) if crm_enabled(ctx.env) else None,
        "crm_group": crm_group,
        "checked_at_ms": now_ms,
        "recent_window_s": RECENT_WINDOW_S,
        "recent_event_ms": recent,
        "last_stream_event_ms": last_stream_event,
    }
