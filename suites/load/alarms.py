"""Reading the env's alarms for load.alarms_quiet_after with the read-only `aws` session: the current state of
every metric and composite alarm under the env's `alarm_prefix`, and the transitions into ALARM recorded in the
alarm history since the load began (an alarm that fired and cleared between two polls still counts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["AlarmWatch", "alarm_states", "alarm_watch", "fired_since", "in_alarm"]

NO_LOAD = "no load ran in this run (load.api.*, load.concurrency.*, load.throttling): no load to watch the alarms after"


@dataclass(frozen=True)
class AlarmWatch:
    """Watch the alarms from `load_started` until `until` (= end of the load + the env's quiet window)."""

    load_started: datetime
    load_ended: datetime
    until: datetime

    def remaining_s(self, now: datetime) -> float:
        return max((self.until - now).total_seconds(), 0.0)


def alarm_watch(started: datetime | None, ended: datetime | None, quiet_window_s: int) -> AlarmWatch | None:
    """The watch for this run's load, or None when no load ran (the check is then skipped with NO_LOAD)."""
    if started is None or ended is None:
        return None
    return AlarmWatch(started, ended, ended + timedelta(seconds=quiet_window_s))


ALARM_TYPES = ["MetricAlarm", "CompositeAlarm"]


def alarm_states(cloudwatch: Any, prefix: str) -> dict[str, str]:
    """alarm name → StateValue for every alarm whose name starts with `prefix`."""
    states: dict[str, str] = {}
    for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=ALARM_TYPES):
        for kind in ("MetricAlarms", "CompositeAlarms"):
            states |= {alarm["AlarmName"]: alarm["StateValue"] for alarm in page.get(kind, [])}
    return states


def in_alarm(states: Mapping[str, str]) -> list[str]:
    return sorted(name for name, state in states.items() if state == "ALARM")


def transitions_to_alarm(items: Iterable[Mapping[str, Any]], prefix: str) -> list[str]:
    """`<alarm> at <time>` for each StateUpdate history item of a prefixed alarm that entered ALARM."""
    return [
        f"{item['AlarmName']} at {item.get('Timestamp')}"
        for item in items
        if str(item.get("AlarmName", "")).startswith(prefix)
        and item.get("HistoryItemType", "StateUpdate") == "StateUpdate"
        and "to ALARM" in str(item.get("HistorySummary", ""))
    ]


def fired_since(cloudwatch: Any, prefix: str, start: datetime, end: datetime) -> list[str]:
    """Transitions into ALARM of prefixed alarms between `start` and `end` (DescribeAlarmHistory)."""
    items: list[Mapping[str, Any]] = []
    pages = cloudwatch.get_paginator("describe_alarm_history").paginate(
        HistoryItemType="StateUpdate", AlarmTypes=ALARM_TYPES, StartDate=start, EndDate=end
    )
    for page in pages:
        items += page.get("AlarmHistoryItems", [])
    return transitions_to_alarm(items, prefix)
