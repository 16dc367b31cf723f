"""Latency and status statistics of a load run: nearest-rank percentiles and the per-route summary the load checks
judge and attach as evidence (numbers only: never a body, cookie or token).

>>> percentile([10.0, 20.0, 30.0, 40.0], 50)
20.0
>>> summarize([Sample("me", "GET", "/auth/me", 200, 12.5)])["all"]["p95_ms"]
12.5
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Sample", "percentile", "status_class", "summarize"]


@dataclass(frozen=True)
class Sample:
    """One request of a load run. `status` 0 = no HTTP answer (connection error or timeout, named in `error`)."""

    label: str
    method: str
    path: str
    status: int
    latency_ms: float
    body: Any = field(default=None, compare=False, repr=False)  # parsed JSON, for the check's positive assertions
    error: str = ""


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


def status_class(status: int) -> str:
    """`2xx` … `5xx`, or `no answer` for a request that got no HTTP status."""
    return f"{status // 100}xx" if status else "no answer"


def _stats(samples: Sequence[Sample]) -> dict[str, Any]:
    answered = [s.latency_ms for s in samples if s.status]
    statuses = Counter(s.status for s in samples)
    figures: dict[str, Any] = {
        "count": len(samples),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(1 for s in samples if s.status >= 500),
        "throttled": statuses.get(429, 0),
        "no_answer": statuses.get(0, 0),
    }
    if answered:
        figures |= {
            "p50_ms": round(percentile(answered, 50), 1),
            "p95_ms": round(percentile(answered, 95), 1),
            "max_ms": round(max(answered), 1),
        }
    else:
        figures |= {"p50_ms": None, "p95_ms": None, "max_ms": None}
    return figures


def summarize(samples: Iterable[Sample]) -> dict[str, Any]:
    """`{"all": figures, "by_label": {label: figures}}`; figures = count, statuses, server_errors, throttled,
    no_answer, p50_ms, p95_ms, max_ms. Latencies are of answered requests only (a connection error has none)."""
    samples = list(samples)
    labels = sorted({s.label for s in samples})
    return {
        "all": _stats(samples),
        "by_label": {label: _stats([s for s in samples if s.label == label]) for label in labels},
    }
