"""Counts of outcomes (SPEC §11.1 `counts`): every number a document shows is derived from these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from checks.vocabulary import AREAS, SEVERITIES, STATUSES


def _matrix(checks: Sequence[Mapping[str, Any]], key: str, rows: tuple[str, ...]) -> dict[str, dict[str, int]]:
    # Fixed rows first (stable tables), then any unexpected value so nothing is ever dropped from a count.
    names = list(rows) + sorted({str(c[key]) for c in checks} - set(rows))
    return {
        name: {status: sum(1 for c in checks if c[key] == name and c["status"] == status) for status in STATUSES}
        for name in names
    }


def compute_counts(checks: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """`by_status`, `by_area_status` and `by_severity_status` over check dicts as stored in results.json."""
    items = list(checks)
    return {
        "by_status": {status: sum(1 for c in items if c["status"] == status) for status in STATUSES},
        "by_area_status": _matrix(items, "area", AREAS),
        "by_severity_status": _matrix(items, "severity", SEVERITIES),
        "total": len(items),
    }
