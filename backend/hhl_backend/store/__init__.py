"""The reference backend's DynamoDB store (SPEC §4): atomic single-item writes, consistent reads, roll-up.

>>> store = Store.from_settings(settings, load_catalog())   # doctest: +SKIP
>>> store.record_module_event("sub-1", module_slug="fabric-operations-welcome", course_slug=None,
...                           pathway_slug=None, completed=False)   # doctest: +SKIP
"""

from __future__ import annotations

from hhl_backend.store.dynamo import StoreError
from hhl_backend.store.keys import TableNames, now_iso
from hhl_backend.store.store import BOTO_CONFIG, MODULE_EVENT_SOURCE, Store, UserData, dynamodb_client
from hhl_backend.store.views import (
    build_enrollment_list,
    build_progress_read,
    build_progress_state,
    build_summary,
    course_aggregate,
    pathway_aggregate,
    round_half_up_percent,
)

__all__ = [
    "BOTO_CONFIG",
    "MODULE_EVENT_SOURCE",
    "Store",
    "StoreError",
    "TableNames",
    "UserData",
    "build_enrollment_list",
    "build_progress_read",
    "build_progress_state",
    "build_summary",
    "course_aggregate",
    "dynamodb_client",
    "now_iso",
    "pathway_aggregate",
    "round_half_up_percent",
]
