"""Small helpers shared by the collectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from checks.aws.schema import fields

__all__ = ["MAX_PAGES", "pages", "pick"]

T = TypeVar("T")

# Bound on pagination: the env's resources fit in a page or two; more means a wrong selector, not more data.
MAX_PAGES = 50


def pick(source: Mapping[str, Any] | None, shape: type[T]) -> T:
    """The keys of the TypedDict `shape` that are present: an allow-list, so a new response field never leaks into
    a snapshot, and the schema is the one place the kept fields are named."""
    if not source:
        return cast(T, {})
    # The cast: boto3 responses are untyped; the schema states what AWS returns under these keys.
    return cast(T, {k: source[k] for k in fields(shape) if k in source})


def pages(client: Any, operation: str, items_key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated read, through botocore's paginator (so the read-only guard still applies)."""
    paginator = client.get_paginator(operation)
    items: list[Any] = []
    for page in paginator.paginate(**kwargs, PaginationConfig={"MaxItems": MAX_PAGES * 100}):
        items.extend(page.get(items_key, []))
    return items
