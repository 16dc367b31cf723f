"""Property value normalisation as HubSpot stores values (sandbox.hubspot.values), without HTTP."""

from __future__ import annotations

import pytest

from sandbox.hubspot.errors import InvalidValue
from sandbox.hubspot.values import iso_ms, normalise

DATETIME = {"name": "hhl_last_viewed_at", "type": "datetime"}
DATE = {"name": "hhl_last_activity", "type": "date"}
NUMBER = {"name": "hhl_total_progress", "type": "number"}


def test_every_millisecond_of_an_iso_datetime_reads_back_unchanged() -> None:
    values = [f"2024-01-01T08:00:00.{ms:03d}Z" for ms in range(1000)]
    assert [normalise(DATETIME, value) for value in values] == values


@pytest.mark.parametrize(
    ("definition", "given", "stored"),
    [
        (DATETIME, "1704096000123", "2024-01-01T08:00:00.123Z"),
        (DATETIME, "2024-01-01T10:00:00.5+02:00", "2024-01-01T08:00:00.500Z"),
        (DATETIME, "2024-01-01T08:00:00", "2024-01-01T08:00:00.000Z"),  # no zone: UTC
        (DATE, "2024-02-29", "2024-02-29"),
        (DATE, 1704067200000, "2024-01-01"),
        (NUMBER, "3.50", "3.5"),
        (NUMBER, "1e3", "1000"),
        (NUMBER, 7, "7"),
        (NUMBER, " 4 ", "4"),
    ],
)
def test_values_are_stored_as_hubspot_returns_them(definition: dict, given: object, stored: str) -> None:
    assert normalise(definition, given) == stored


@pytest.mark.parametrize(
    ("definition", "given", "code"),
    [
        (NUMBER, "NaN", "INVALID_NUMBER"),
        (NUMBER, True, "INVALID_NUMBER"),
        (NUMBER, None, "INVALID_NUMBER"),
        (DATE, "1704067200001", "INVALID_DATE"),
        (DATE, "2023-02-29", "INVALID_DATE"),
        (DATE, "-99999999999999999", "INVALID_DATE"),  # before year 1
        (DATETIME, "99999999999999999", "INVALID_DATETIME"),  # after year 9999
        (DATETIME, "0001-01-01T00:00:00+05:00", "INVALID_DATETIME"),  # year 0 in UTC
        (DATETIME, "", "INVALID_DATETIME"),
        ({"name": "s", "type": "string"}, {"a": 1}, "INVALID_VALUE"),
        ({"name": "s", "type": "string"}, "x" * 65537, "INVALID_STRING"),
    ],
)
def test_refused_values_name_hubspots_error_code(definition: dict, given: object, code: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise(definition, given)
    assert refused.value.code == code and refused.value.name == definition["name"]


def test_iso_ms_is_utc_with_milliseconds_and_z() -> None:
    assert iso_ms(0) == "1970-01-01T00:00:00.000Z"
    assert iso_ms(1704096000999) == "2024-01-01T08:00:00.999Z"
    assert iso_ms(-1) == "1969-12-31T23:59:59.999Z"
    assert iso_ms(-62135596800000) == "0001-01-01T00:00:00.000Z"  # four-digit years, as ISO 8601 wants
