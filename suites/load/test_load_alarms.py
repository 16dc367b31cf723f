"""[real] No alarm fires after the load (SPEC §10, rollback trigger "alarm in ALARM > 5 min"): the env's alarms are
polled from the end of this run's load until `alarm_quiet_window_s` (env file; 300 on dev/prod) after it; any alarm
in ALARM fails at once, and the alarm history is read at the end so that an alarm which fired and cleared between
two polls is not missed. Without load in this run there is nothing to watch: skipped (no 5-minute wait). Runs last,
in the load checks' process (xdist group `hhl-load`, suites/load/conftest.py). Skipped locally: moto never
evaluates alarms.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from checks.aws.session import ReadOnlyAws, describe_error
from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.polling import poll
from environments import Environment
from suites.api.helpers import require
from suites.load.alarms import NO_LOAD, alarm_states, alarm_watch, fired_since, in_alarm
from suites.load.runner import load_window

POLL_INTERVAL_S = 20.0  # alarm periods are 60 s: polling faster only costs API calls


@pytest.mark.check("load.alarms_quiet_after")
def test_alarms_quiet_after(env: Environment, aws: ReadOnlyAws, evidence: Evidence) -> None:
    watch = alarm_watch(*load_window(), env.alarm_quiet_window_s)
    if watch is None:
        pytest.skip(NO_LOAD)
    started, ended = watch.load_started, watch.load_ended
    cloudwatch = aws.client("cloudwatch")
    seen: dict[str, str] = {}

    def firing() -> list[str]:
        states = alarm_states(cloudwatch, env.alarm_prefix)
        seen.update(states)
        return in_alarm(states)

    try:
        first = firing()
        if not seen:
            raise HarnessError(f"no alarm named {env.alarm_prefix}*: nothing to observe (check `alarm_prefix`)")
        remaining = watch.remaining_s(datetime.now(UTC))
        alarming, polls = (first, 1) if first else poll(firing, timeout_s=remaining, interval_s=POLL_INTERVAL_S)
        fired = fired_since(cloudwatch, env.alarm_prefix, started, datetime.now(UTC))
    except (BotoCoreError, ClientError) as exc:
        raise HarnessError(f"alarms under {env.alarm_prefix}: {describe_error(exc, aws.where)}") from None
    evidence.attach_json("alarm-states", {"load_started": started, "load_ended": ended, "states": seen})
    evidence.record(
        expected={"in_alarm": [], "fired_since_load": [], "observed_until": str(watch.until)},
        actual={"in_alarm": alarming or [], "fired_since_load": fired, "polls": polls, "alarms": len(seen)},
    )
    require(not alarming, f"in ALARM after the load: {alarming}")
    require(not fired, f"entered ALARM since the load began: {fired}")
