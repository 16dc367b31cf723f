"""Property-based fuzzing of the API from its OpenAPI document (Schemathesis 4 as a library): the
`api.fuzz.no_5xx` check's engine. `operations` chooses what is fuzzed, `runner` drives Hypothesis and judges.

>>> chosen = select_operations(load_schema(), allow_writes=False).operations
>>> report = run_fuzz(chosen, send, bounds=FuzzBounds(), session_cookies=cookies)  # doctest: +SKIP
>>> report.findings, report.examples_per_operation()
({}, {'GET /auth/login': 34, 'GET /auth/me': 23, ...})
"""

from __future__ import annotations

from checks.fuzz.operations import EXCLUDED, OPENAPI_DOCUMENT, ContentSlugs, Selection, load_schema, select_operations
from checks.fuzz.runner import Exchange, Finding, FuzzBounds, FuzzReport, Sender, run_fuzz

__all__ = [
    "EXCLUDED",
    "OPENAPI_DOCUMENT",
    "ContentSlugs",
    "Exchange",
    "Finding",
    "FuzzBounds",
    "FuzzReport",
    "Selection",
    "Sender",
    "load_schema",
    "run_fuzz",
    "select_operations",
]
