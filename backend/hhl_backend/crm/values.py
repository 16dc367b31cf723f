"""Pure value rules of the CRM sync (SPEC §7): set union, the create payload, registry-only property bodies, dates.

HubSpot takes every property value as a string; date properties want `YYYY-MM-DD` (UTC midnight), datetime ones an
ISO-8601 instant, and both reject `""`, so an unknown value is omitted rather than sent empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from hhl_backend.crm import registry

SET_SEPARATOR = ";"


def split_set(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(SET_SEPARATOR) if part.strip()}


def union_set(existing: str | None, current: Iterable[str]) -> str:
    """Sorted `;`-joined union of the contact's value and the current members: the set never shrinks."""
    return SET_SEPARATOR.join(sorted(split_set(existing) | {c for c in current if c}))


def create_payload(email: str) -> dict[str, str]:
    """A new contact: SPEC §7's create payload (no milestone properties: HubSpot rejects empty dates/numbers)."""
    return {"email": email, **registry.CREATE_DEFAULTS}


def registry_only(properties: Mapping[str, str]) -> dict[str, str]:
    """The PATCH body: registry properties only, and never `""` for a date or number."""
    names = set(registry.names())
    body = {}
    for name, value in properties.items():
        if name not in names:
            continue
        if value == "" and registry.by_name(name).type in ("date", "datetime", "number"):
            continue
        body[name] = value
    return body


def _parse_instant(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_date(stamp: str | None) -> str | None:
    """`YYYY-MM-DD` (UTC) of an ISO timestamp; None when absent or unreadable."""
    parsed = _parse_instant(stamp)
    return parsed.date().isoformat() if parsed else None


def iso_instant(stamp: str | None) -> str | None:
    """An ISO-8601 UTC instant with milliseconds and `Z`; None when absent or unreadable."""
    parsed = _parse_instant(stamp)
    return parsed.isoformat(timespec="milliseconds").replace("+00:00", "Z") if parsed else None
