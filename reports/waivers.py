"""Waivers from the env file (SPEC §1, §11.3): an unexpired waiver turns a finding into `waived`.

A waiver is honoured only when it names `check`, `reason`, `owner` and a valid `expires` (YYYY-MM-DD, inclusive),
targets a `failed` or `warning` outcome, and does not target a `*.target.*` preflight. Every ignored waiver becomes a
note for the verdict reasons, so a silently lapsed waiver can never hide a finding."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from reports.results import CheckResult

WAIVABLE_STATUSES = ("failed", "warning")
REQUIRED_FIELDS = ("check", "reason", "owner", "expires")


def is_target_check(check_id: str) -> bool:
    """Preflight checks (`<area>.target.<name>`) prove the target itself; they can never be waived."""
    parts = check_id.split(".")
    return len(parts) >= 3 and parts[1] == "target"


def base_id(check: CheckResult) -> str:
    """The catalog id of a result, without any `[param]` suffix."""
    return check.check_id or check.id.split("[", 1)[0]


def _parse_expiry(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def apply_waivers(
    checks: Iterable[CheckResult], waivers: Iterable[Mapping[str, Any]], today: date
) -> tuple[list[CheckResult], list[str]]:
    """Return copies of `checks` with valid waivers applied, plus one note per waiver that was ignored and why."""
    notes: list[str] = []
    valid: dict[str, dict[str, Any]] = {}
    for waiver in waivers:
        check_id = str(waiver.get("check", "") or "<no check>")
        missing = [name for name in REQUIRED_FIELDS if not waiver.get(name)]
        expires = _parse_expiry(waiver.get("expires"))
        if missing:
            notes.append(f"waiver for {check_id} ignored: missing {', '.join(missing)}")
        elif expires is None:
            notes.append(f"waiver for {check_id} ignored: expires is not a YYYY-MM-DD date")
        elif is_target_check(check_id):
            notes.append(f"waiver for {check_id} ignored: preflight (*.target.*) checks cannot be waived")
        elif expires < today:
            notes.append(f"waiver for {check_id} ignored: expired on {expires.isoformat()}")
        else:
            valid[check_id] = {name: str(waiver[name]) for name in REQUIRED_FIELDS}
    applied: list[CheckResult] = []
    for check in checks:
        waiver = valid.get(check.id) or valid.get(base_id(check))
        if waiver is not None and check.status in WAIVABLE_STATUSES:
            check = dataclasses.replace(check, status="waived", waiver=dict(waiver))
        applied.append(check)
    return applied, notes
