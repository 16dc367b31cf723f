"""Status icons and the worst-of rule used when several results (parametrized items) share one check id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.vocabulary import base_id

ICONS = {
    "passed": "✅",
    "failed": "❌",
    "warning": "⚠️",
    "waived": "⚠️",
    "skipped": "⏭",
    "blocked": "⏭",
    "error": "💥",
}
NOT_RUN = "not run"
# Most alarming first: an item is only as good as its worst parametrized result.
_SEVERITY_ORDER = ("error", "failed", "warning", "waived", "blocked", "skipped", "passed")


def check_status(checks: Iterable[Mapping[str, Any]], check_id: str) -> str:
    """Worst status among results whose catalog id is `check_id`; `not run` when the run has none."""
    found = {str(c["status"]) for c in checks if base_id(c) == check_id}
    return next((s for s in _SEVERITY_ORDER if s in found), NOT_RUN)


def icon(status: str) -> str:
    return ICONS.get(status, "⏭")


def badge(checks: Iterable[Mapping[str, Any]], check_id: str | None) -> str:
    """`✅ passed` style marker for a checklist item; items without a check are `manual`."""
    if not check_id:
        return "manual"
    status = check_status(checks, check_id)
    return f"{icon(status)} {status}"
