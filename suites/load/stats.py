"""The figures of a load run: the per-route summary the load checks judge and attach as `load-summary.json`
(numbers only: never a body, cookie or token), assembled from what the engine reports. Request counts, failures
and p50/p95/p99/max come from Locust's stats (`env.stats`, merged over the workers by Locust); the status counts,
which Locust does not keep, from the engine's own tally. Also the nearest-rank `percentile` the CRM suite uses.

>>> percentile([10.0, 20.0, 30.0, 40.0], 50)
20.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from suites.load.predicates import KINDS

__all__ = ["counts_agree", "first_excerpt", "percentile", "summarize"]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q % of the values at or below it.

    Nearest-rank never interpolates, so p95 is a latency some request really had (and with 200 samples it is the
    190th fastest): a check cannot pass on a number no request produced."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} outside (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))  # 1-based
    return ordered[max(rank, 1) - 1]


def _figures(locust: Mapping[str, Any], statuses: Mapping[str, int], kinds: Mapping[str, int]) -> dict[str, Any]:
    counted = int(locust.get("count") or 0)
    figures: dict[str, Any] = {
        "count": counted,
        "statuses": {k: statuses[k] for k in sorted(statuses, key=int)},
        "server_errors": sum(n for s, n in statuses.items() if int(s) >= 500),
        "throttled": statuses.get("429", 0),
        "no_answer": statuses.get("0", 0),
        "failures": int(locust.get("failures") or 0),
        "failure_kinds": {k: kinds[k] for k in KINDS if kinds.get(k)},
    }
    # Locust times every request, a connection error too; no latency figure from a run with no request.
    timed = counted > 0
    figures |= {key: (round(float(locust[key]), 1) if timed else None) for key in ("p50_ms", "p95_ms", "p99_ms")}
    figures["max_ms"] = round(float(locust["max_ms"]), 1) if timed else None
    return figures


def _merge(counters: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counter in counters.values():
        for key, n in counter.items():
            total[key] = total.get(key, 0) + n
    return total


def summarize(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The load summary from the engine's report: `{"all": figures, "by_label": {label: figures}, ...}`; figures =
    count, statuses, server_errors, throttled, no_answer, failures, failure_kinds, p50/p95/p99/max_ms."""
    locust, statuses, kinds = raw["locust"], raw["statuses"], raw["failure_kinds"]
    labels = sorted(set(locust["by_label"]) | set(statuses))
    by_label = {
        label: _figures(locust["by_label"].get(label, {}), statuses.get(label, {}), kinds.get(label, {}))
        for label in labels
    }
    elapsed = float(raw["elapsed_s"])
    total = _figures(locust["all"], _merge(statuses), _merge(kinds))
    return {
        "all": total,
        "by_label": by_label,
        "concurrency": raw["concurrency"],
        "elapsed_s": round(elapsed, 3),
        "achieved_rps": round(total["count"] / elapsed, 1) if elapsed > 0 else None,
        "not_sent": raw["not_sent"],
        "failure_excerpts": raw["failure_excerpts"],
        "engine": raw["engine"],
    }


def counts_agree(summary: Mapping[str, Any]) -> bool:
    """Locust's request count and the engine's tally of answers describe the same requests."""
    figures = summary["all"]
    return figures["count"] == sum(figures["statuses"].values())


def first_excerpt(summary: Mapping[str, Any], kind: str) -> str:
    """The first kept failure of `kind`, in one line (`label METHOD /path → answer`)."""
    first = next((e for e in summary["failure_excerpts"] if e.get("kind") == kind), None)
    return f"{first['label']} {first['request']} → {first['answer']}" if first else "no excerpt kept"
