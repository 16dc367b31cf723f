"""Judging a burst beyond the stage throttle (SPEC §3.2, §6): every answer is either the route's own or the
gateway's exact `429 {"message":"Too Many Requests"}` (the engine's `anonymous_me_or_throttled` predicate), at least
one request was throttled, none got a 5xx.

A gateway without throttling answers every request with the route's answer: `throttle_problems` then names the
missing 429 (tests/suites/test_load_stats.py shows it)."""

from __future__ import annotations

from typing import Any

from suites.load.predicates import NO_ANSWER, SERVER_ERROR, THROTTLE, THROTTLED, UNEXPECTED
from suites.load.stats import first_excerpt

__all__ = ["THROTTLED", "throttle_problems"]


def throttle_problems(summary: dict[str, Any]) -> list[str]:
    """Every way the burst's answers differ from a throttling gateway (empty = as expected)."""
    figures = summary["all"]
    kinds = figures["failure_kinds"]
    problems = []
    if not figures["throttled"]:
        problems.append(f"no 429 among {figures['count']} requests: the stage did not throttle beyond its burst")
    if kinds.get(THROTTLE):
        problems.append(
            f"{kinds[THROTTLE]} × 429 with another body than {THROTTLED} (first: {first_excerpt(summary, THROTTLE)})"
        )
    if figures["server_errors"] or kinds.get(SERVER_ERROR):
        problems.append(f"{figures['server_errors']} × 5xx under the burst")
    if figures["no_answer"] or kinds.get(NO_ANSWER):
        problems.append(f"{figures['no_answer']} requests got no answer")
    if kinds.get(UNEXPECTED):
        first = first_excerpt(summary, UNEXPECTED)
        problems.append(f"{kinds[UNEXPECTED]} answers that are neither the route's nor a 429 (first: {first})")
    return problems
