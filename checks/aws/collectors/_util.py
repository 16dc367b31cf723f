"""Small helpers shared by the collectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MAX_PAGES", "pages", "pick"]

# Bound on pagination: the env's resources fit in a page or two; more means a wrong selector, not more data.
MAX_PAGES = 50


def pick(source: Mapping[str, Any] | None, keys: Iterable[str]) -> dict[str, Any]:
    """The listed keys that are present: an allow-list, so a new response field never leaks into a snapshot."""
    if not source:
        return {}
    return {k: source[k] for k in keys if k in source}


def pages(client: Any, operation: str, items_key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated read, through botocore's paginator (so the read-only guard still applies)."""
    paginator = client.get_paginator(operation)
    items: list[Any] = []
    for page in paginator.paginate(**kwargs, PaginationConfig={"MaxItems": MAX_PAGES * 100}):
        items.extend(page.get(items_key, []))
    return items
