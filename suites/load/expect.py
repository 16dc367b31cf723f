"""The assertions the load checks share: the load ran completely, nothing answered 5xx, every answer is the one
expected (positive identity: the engine judged status and body with the check's predicate, and Locust counted
every other answer as a failure of its kind), and the p95 is under the limit. The summary JSON is attached and
expected vs actual recorded before anything is judged, so a red check shows its figures."""

from __future__ import annotations

from typing import Any

from checks.evidence import Evidence
from suites.api.helpers import require
from suites.load.predicates import UNEXPECTED
from suites.load.runner import LoadResult
from suites.load.stats import counts_agree, first_excerpt

__all__ = ["expect_load", "load_problems"]


def load_problems(result: LoadResult, *, p95_ms: float | None, expected_count: int) -> list[str]:
    """Every way the run falls short, in words (empty = the check passes). `p95_ms` None: latency not judged."""
    summary = result.summary()
    figures = summary["all"]
    problems = []
    if result.not_sent or figures["count"] != expected_count:
        problems.append(f"{figures['count']}/{expected_count} requests sent ({result.not_sent} cut by the deadline)")
    if not counts_agree(summary):
        problems.append(f"Locust counted {figures['count']} requests, the engine {sum(figures['statuses'].values())}")
    if figures["server_errors"]:
        problems.append(f"{figures['server_errors']} × 5xx")
    if figures["no_answer"]:
        problems.append(f"{figures['no_answer']} requests got no answer (connection error or timeout)")
    if figures["throttled"]:
        problems.append(f"{figures['throttled']} × 429: the load was throttled by the stage")
    unexpected = figures["failure_kinds"].get(UNEXPECTED, 0)
    if unexpected:
        problems.append(f"{unexpected} unexpected answers (first: {first_excerpt(summary, UNEXPECTED)})")
    if p95_ms is not None and (figures["p95_ms"] is None or figures["p95_ms"] >= p95_ms):
        problems.append(f"p95 {figures['p95_ms']} ms (limit < {p95_ms:.0f} ms)")
    return problems


def expect_load(
    evidence: Evidence, result: LoadResult, *, p95_ms: float | None, expected_count: int, what: str
) -> dict[str, Any]:
    """Attach the summary, record expected vs actual, fail with every problem named. Returns the summary."""
    summary = result.summary()
    evidence.attach_json("load-summary", summary)
    figures = summary["all"]
    evidence.record(
        expected={
            "requests": expected_count,
            "failures": 0,
            "server_errors": 0,
            "throttled": 0,
            "p95_ms": "not judged" if p95_ms is None else f"< {p95_ms:.0f}",
        },
        actual={key: figures[key] for key in ("count", "failures", "server_errors", "throttled", "no_answer")}
        | {key: figures[key] for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")}
        | {"not_sent": result.not_sent, "engine": summary["engine"]["runner"]},
    )
    problems = load_problems(result, p95_ms=p95_ms, expected_count=expected_count)
    require(not problems, f"{what}: " + "; ".join(problems))
    return summary
