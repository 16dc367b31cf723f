"""Validation and normalisation of contact property values as HubSpot applies them (dates at UTC midnight, numbers)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sandbox.hubspot.errors import InvalidValue

_MAX_STRING = 65536
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPOCH_MS = re.compile(r"^-?\d+$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_ms(epoch_ms: int) -> str:
    """HubSpot's timestamp format: ISO 8601, UTC, milliseconds, `Z` (OverflowError outside years 1..9999)."""
    m = _EPOCH + timedelta(milliseconds=epoch_ms)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{epoch_ms % 1000:03d}Z"


def normalise(definition: dict, value: object) -> str:
    """The stored form of `value` for the property `definition` (HubSpot's JSON shape); InvalidValue if refused.

    HubSpot keeps every value as a string. `""` clears a string or enumeration but is refused for a date, datetime
    or number (SPEC §7: the reason the create payload omits the milestone properties)."""
    name = definition["name"]
    kind = definition["type"]
    if definition.get("modificationMetadata", {}).get("readOnlyValue"):
        raise InvalidValue(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only')
    if isinstance(value, dict | list):
        raise InvalidValue(name, "INVALID_VALUE", f"{value!r} is not a valid value for property {name}")
    text = "" if value is None else _as_text(value)
    if kind in ("date", "datetime", "number") and text == "":
        raise InvalidValue(name, "INVALID_" + kind.upper(), f'"" is not a valid {kind} value for property {name}')
    if kind == "number":
        return _number(name, text)
    if kind == "date":
        return _date(name, text)
    if kind == "datetime":
        return _datetime(name, text)
    if kind == "enumeration":
        return _option(definition, text)
    if kind == "bool":
        if text.lower() not in ("true", "false", ""):
            raise InvalidValue(name, "INVALID_BOOLEAN", f"{text!r} is not a valid boolean for property {name}")
        return text.lower()
    if len(text) > _MAX_STRING:
        raise InvalidValue(name, "INVALID_STRING", f"value of {name} is longer than {_MAX_STRING} characters")
    if name == "email" and text:
        if not _EMAIL.match(text):
            raise InvalidValue(name, "INVALID_EMAIL", f"Email address {text} is invalid")
        return text.lower()  # HubSpot keeps emails lower-cased; lookups are case-insensitive
    return text


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(name: str, text: str) -> str:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidValue(name, "INVALID_NUMBER", f"{text!r} is not a valid number for property {name}") from None
    if not number.is_finite():
        raise InvalidValue(name, "INVALID_NUMBER", f"{text!r} is not a valid number for property {name}")
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _date(name: str, text: str) -> str:
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    elif _EPOCH_MS.match(text):
        try:
            moment = _EPOCH + timedelta(milliseconds=int(text))
        except OverflowError:
            raise InvalidValue(name, "INVALID_DATE", f"{text} is out of range for property {name}") from None
        if moment.hour or moment.minute or moment.second or moment.microsecond:
            clock = moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
            raise InvalidValue(name, "INVALID_DATE", f"{text} is at {clock} UTC, not midnight! (property {name})")
        return moment.date().isoformat()
    raise InvalidValue(
        name, "INVALID_DATE", f"{text!r} is not a valid date for property {name} (YYYY-MM-DD or epoch ms at midnight)"
    )


def _datetime(name: str, text: str) -> str:
    try:
        if _EPOCH_MS.match(text):
            return iso_ms(int(text))
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # Exact integer milliseconds: float timestamps would turn .123 into .122 now and then.
        return iso_ms((moment - _EPOCH) // timedelta(milliseconds=1))
    except (ValueError, OverflowError):
        raise InvalidValue(
            name, "INVALID_DATETIME", f"{text!r} is not a valid datetime for property {name} (ISO 8601 or epoch ms)"
        ) from None


def _option(definition: dict, text: str) -> str:
    allowed = {option["value"] for option in definition.get("options", [])}
    if text and text not in allowed:
        name = definition["name"]
        raise InvalidValue(name, "INVALID_OPTION", f"{text} was not one of the allowed options for property {name}")
    return text
