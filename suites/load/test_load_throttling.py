"""[local] Throttling (SPEC §3.2, §6 `ApiStage` burst 200 / rate 100): a short burst of cheap requests well beyond
the stage's burst must be answered with the gateway's exact 429 body, never a 5xx, and the stage must serve again
once its bucket refills. Runs last in the session (suites/load/conftest.py): it empties the bucket.
"""

from __future__ import annotations

from typing import Any

import pytest

from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.polling import poll
from checks.retry import NO_RETRY
from environments import Environment
from suites.api.helpers import require
from suites.load.plan import EngineSettings
from suites.load.runner import Call, run_load
from suites.load.throttle import THROTTLED, throttle_problems

# Five times the stage's burst, at a concurrency far above what the rate refills while the burst lasts.
BURST_REQUESTS = 1000
BURST_CONCURRENCY = 100
# SPEC §6 ApiStage: what the stage admits without throttling in `t` seconds is STAGE_BURST + STAGE_RATE * t.
STAGE_BURST = 200
STAGE_RATE = 100.0
BURST_DEADLINE_S = 4.0
RECOVERY_TIMEOUT_S = 3.0  # the bucket refills 100 tokens/s: one token is back within milliseconds
RECOVERY_INTERVAL_S = 0.05
# The cheapest registered route: /auth/me without credentials is answered 401 before any token work.
PROBE = Call("auth/me (anonymous)", "GET", "/auth/me")


@pytest.mark.check("load.throttling")
def test_throttling(env: Environment, api: HttpClient, load_engine: EngineSettings, evidence: Evidence) -> None:
    result = run_load(
        env.required("api_base_url"),
        [PROBE] * BURST_REQUESTS,
        concurrency=BURST_CONCURRENCY,
        cookies={},
        evidence=evidence,
        deadline_s=BURST_DEADLINE_S,
        accept="anonymous_me_or_throttled",  # the route's 401 or the gateway's exact 429
        engine=load_engine,
    )
    summary = result.summary()
    evidence.attach_json("load-summary", summary)
    problems = throttle_problems(summary)

    # Recovery: a rate limit, not a stuck breaker. Quiet probes; the answer that ends the wait is transcribed.
    with HttpClient(env.required("api_base_url"), retry=NO_RETRY) as quiet:
        recovered, attempts = poll(
            lambda: quiet.get(PROBE.path).status != 429, timeout_s=RECOVERY_TIMEOUT_S, interval_s=RECOVERY_INTERVAL_S
        )
    final = api.get(PROBE.path)
    if not recovered or final.status == 429:
        problems.append(f"still 429 after {RECOVERY_TIMEOUT_S:.0f} s ({attempts} probes): the throttle did not recover")
    figures = summary["all"]
    evidence.record(
        expected={
            "throttled": "≥ 1",
            "body_429": THROTTLED,
            "server_errors": 0,
            "recovers_within_s": RECOVERY_TIMEOUT_S,
        },
        actual={
            "sent": figures["count"],
            "statuses": figures["statuses"],
            "elapsed_s": summary["elapsed_s"],
            "recovery_probes": attempts,
            "after_recovery": final.status,
        },
    )
    admitted = STAGE_BURST + STAGE_RATE * float(summary["elapsed_s"])
    if not statuses_include_429(figures) and figures["count"] <= admitted:
        # A target too slow to outrun its own limit answers no 429 whether or not it throttles: not a verdict.
        raise HarnessError(
            f"the burst never outran the stage's limit ({figures['count']} requests in {summary['elapsed_s']} s; "
            f"the stage admits {admitted:.0f}): throttling could not be judged"
        )
    require(not problems, f"{figures['count']} requests at concurrency {BURST_CONCURRENCY}: " + "; ".join(problems))


def statuses_include_429(figures: dict[str, Any]) -> bool:
    return any(str(status) == "429" for status in (figures.get("statuses") or {}))
