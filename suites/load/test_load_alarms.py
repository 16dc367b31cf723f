"""[real] No alarm fires after the load (SPEC §10, rollback trigger "alarm in ALARM > 5 min"): the env's alarms are
polled from the end of this process's load until 5 minutes after it; any alarm in ALARM fails at once, and the
alarm history is read at the end so that an alarm which fired and cleared between two polls is not missed.
Runs last in the session (suites/load/conftest.py). Skipped locally: moto never evaluates alarms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from checks.aws.session import describe_error
from checks.errors import HarnessError
from checks.evidence import Evidence
from suites.api.helpers import require
from suites.load.alarms import alarm_states, fired_since, in_alarm
from suites.load.polling import poll
from suites.load.runner import load_window

WINDOW = timedelta(minutes=5)
POLL_INTERVAL_S = 20.0  # alarm periods are 60 s: polling faster only costs API calls


@pytest.mark.check("load.alarms_quiet_after")
def test_alarms_quiet_after(env: Any, aws: Any, evidence: Evidence) -> None:
    cloudwatch = aws.client("cloudwatch")
    started, ended = load_window()
    now = datetime.now(UTC)
    started, ended = started or now, ended or now  # no load in this process: observe 5 minutes from now
    seen: dict[str, str] = {}

    def firing() -> list[str]:
        states = alarm_states(cloudwatch, env.alarm_prefix)
        seen.update(states)
        return in_alarm(states)

    try:
        first = firing()
        if not seen:
            raise HarnessError(f"no alarm named {env.alarm_prefix}*: nothing to observe (check `alarm_prefix`)")
        remaining = (ended + WINDOW - datetime.now(UTC)).total_seconds()
        alarming, polls = (first, 1) if first else poll(firing, timeout_s=max(remaining, 0), interval_s=POLL_INTERVAL_S)
        fired = fired_since(cloudwatch, env.alarm_prefix, started, datetime.now(UTC))
    except (BotoCoreError, ClientError) as exc:
        raise HarnessError(f"alarms under {env.alarm_prefix}: {describe_error(exc, aws.where)}") from None
    evidence.attach_json("alarm-states", {"load_started": started, "load_ended": ended, "states": seen})
    evidence.record(
        expected={"in_alarm": [], "fired_since_load": [], "observed_until": str(ended + WINDOW)},
        actual={"in_alarm": alarming or [], "fired_since_load": fired, "polls": polls, "alarms": len(seen)},
    )
    require(not alarming, f"in ALARM after the load: {alarming}")
    require(not fired, f"entered ALARM since the load began: {fired}")
