"""`POST /crm/v3/objects/contacts/search` semantics: filter groups (OR of ANDed filters), `query`, sorts, paging."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from sandbox.hubspot.context import HubSpotContext
from sandbox.hubspot.errors import bad_request
from sandbox.hubspot.store import Contact

# HubSpot's search limits: 5 groups, 6 filters per group, 18 filters in all.
_MAX_GROUPS, _MAX_FILTERS_PER_GROUP, _MAX_FILTERS = 5, 6, 18
_QUERY_PROPERTIES = ("email", "firstname", "lastname", "phone", "company")


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def _compare(left: str, right: str) -> int:
    # Numbers compare as numbers, everything else (ISO dates included) as case-folded text.
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    x, y = left.casefold(), right.casefold()
    return (x > y) - (x < y)


def _ordered(op: Callable[[int], bool]) -> Callable[[str | None, dict], bool]:
    return lambda actual, item: actual not in (None, "") and op(_compare(actual, str(item.get("value", ""))))


def _equals(actual: str | None, item: dict) -> bool:
    return (actual or "").casefold() == str(item.get("value", "")).casefold()


def _within(actual: str | None, item: dict) -> bool:
    values = item.get("values")
    if not isinstance(values, list):
        raise bad_request(f"operator {item.get('operator')} needs `values` (a list)")
    return (actual or "").casefold() in {str(value).casefold() for value in values}


def _contains(actual: str | None, item: dict) -> bool:
    return str(item.get("value", "")).strip("*").casefold() in (actual or "").casefold()


OPERATORS: dict[str, Callable[[str | None, dict], bool]] = {
    "EQ": _equals,
    "NEQ": lambda actual, item: not _equals(actual, item),
    "IN": _within,
    "NOT_IN": lambda actual, item: not _within(actual, item),
    "HAS_PROPERTY": lambda actual, item: actual not in (None, ""),
    "NOT_HAS_PROPERTY": lambda actual, item: actual in (None, ""),
    "CONTAINS_TOKEN": _contains,
    "NOT_CONTAINS_TOKEN": lambda actual, item: not _contains(actual, item),
    "GT": _ordered(lambda c: c > 0),
    "GTE": _ordered(lambda c: c >= 0),
    "LT": _ordered(lambda c: c < 0),
    "LTE": _ordered(lambda c: c <= 0),
}


def _filters(ctx: HubSpotContext, body: dict) -> list[list[dict]]:
    groups = body.get("filterGroups", [])
    if not isinstance(groups, list) or len(groups) > _MAX_GROUPS:
        raise bad_request(f"filterGroups must be a list of at most {_MAX_GROUPS} groups")
    checked: list[list[dict]] = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > _MAX_FILTERS_PER_GROUP:
            raise bad_request(f"each filter group needs `filters`, a list of at most {_MAX_FILTERS_PER_GROUP}")
        for item in filters:
            name = item.get("propertyName") if isinstance(item, dict) else item
            if not isinstance(name, str) or name not in ctx.properties:
                raise bad_request(f"There was a problem with the request: unknown property {name!r} in a filter")
            if not isinstance(item.get("operator"), str) or item["operator"] not in OPERATORS:
                raise bad_request(f"Unsupported filter operator {item.get('operator')!r}")
        checked.append(filters)
    if sum(len(filters) for filters in checked) > _MAX_FILTERS:
        raise bad_request(f"at most {_MAX_FILTERS} filters in all")
    return checked


def _sort_key(body: dict) -> tuple[str, bool]:
    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise bad_request("sorts must be a list")
    if not sorts:
        return "hs_object_id", False
    first = sorts[0]
    if isinstance(first, str):
        return first.lstrip("-"), first.startswith("-")
    if isinstance(first, dict) and isinstance(first.get("propertyName"), str):
        return first["propertyName"], str(first.get("direction", "ASCENDING")).upper() == "DESCENDING"
    raise bad_request("a sort is a property name or {propertyName, direction}")


def _all_hold(filters: list[dict], values: dict[str, str]) -> bool:
    return all(OPERATORS[item["operator"]](values.get(item["propertyName"]), item) for item in filters)


def search_matches(ctx: HubSpotContext, body: dict, *, created_before_ms: int | None = None) -> list[Contact]:
    """Every contact the search body selects, in its sort order; with `created_before_ms`, only contacts created
    before then (the search index's lag)."""
    groups = _filters(ctx, body)
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise bad_request("query must be a string")
    prop, descending = _sort_key(body)
    matches = []
    for contact in ctx.contacts.all():
        if created_before_ms is not None and contact.created_ms >= created_before_ms:
            continue
        values = contact.all_values()
        if groups and not any(_all_hold(filters, values) for filters in groups):
            continue
        if query and not any(query.casefold() in values.get(name, "").casefold() for name in _QUERY_PROPERTIES):
            continue
        matches.append(contact)
    # Unset values sort last either way, as HubSpot does.
    present = [c for c in matches if c.all_values().get(prop) not in (None, "")]
    absent = [c for c in matches if c.all_values().get(prop) in (None, "")]
    present.sort(key=lambda c: _SortValue(c.all_values()[prop]), reverse=descending)
    return present + absent


class _SortValue:
    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _SortValue) -> bool:
        return _compare(self.text, other.text) < 0


def page_of(items: list[Contact], after: object, limit: object, *, limit_max: int) -> tuple[list[Contact], dict | None]:
    """One page from offset `after` (HubSpot's opaque cursor is an offset here) and the `paging` block if more."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= limit_max:
        raise bad_request(f"limit must be an integer from 0 to {limit_max}")
    start_text = "0" if after in (None, "") else str(after)
    if not start_text.isdigit():
        raise bad_request(f"after must be a paging cursor from a previous answer, not {after!r}")
    start = int(start_text)
    end = start + limit
    paging = {"next": {"after": str(end)}} if end < len(items) else None
    return items[start:end], paging
