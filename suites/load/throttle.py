"""Judging a burst beyond the stage throttle (SPEC §3.2, §6): every answer is either the route's own or the
gateway's exact `429 {"message":"Too Many Requests"}`, at least one request was throttled, none got a 5xx.

A gateway without throttling answers every request with the route's answer: `throttle_problems` then names the
missing 429 (tests/suites/test_load_stats.py shows it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from suites.load.stats import Sample

__all__ = ["THROTTLED", "throttle_problems"]

THROTTLED = {"message": "Too Many Requests"}


def throttle_problems(samples: Sequence[Sample], *, route_answer: Callable[[Sample], bool]) -> list[str]:
    """Every way the burst's answers differ from a throttling gateway (empty = as expected)."""
    throttled = [s for s in samples if s.status == 429]
    problems = []
    if not throttled:
        problems.append(f"no 429 among {len(samples)} requests: the stage did not throttle beyond its burst")
    wrong_429 = [s for s in throttled if s.body != THROTTLED]
    if wrong_429:
        problems.append(f"{len(wrong_429)} × 429 with another body than {THROTTLED} (first: {wrong_429[0].body!r})")
    server_errors = sum(1 for s in samples if s.status >= 500)
    if server_errors:
        problems.append(f"{server_errors} × 5xx under the burst")
    unanswered = sum(1 for s in samples if s.status == 0)
    if unanswered:
        problems.append(f"{unanswered} requests got no answer")
    other = [s for s in samples if 0 < s.status < 500 and s.status != 429 and not route_answer(s)]
    if other:
        problems.append(f"{len(other)} answers that are neither the route's nor a 429 (first: {other[0].status})")
    return problems
