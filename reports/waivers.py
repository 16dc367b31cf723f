"""Waivers from the env file (SPEC §1, §11.3): an unexpired waiver turns a finding into `waived`.

A waiver is honoured only when it names `check`, `reason`, `owner` and a valid `expires` (YYYY-MM-DD, inclusive),
names a catalog check (`id` or `id[param]`), targets a `failed` or `warning` outcome, and does not target a
`*.target.*` preflight. Every ignored waiver becomes a note for the verdict reasons, so a silently lapsed waiver can
never hide a finding. A waiver naming no catalog check is a configuration error (`waiver_config_errors`): the
plugin refuses to start, and the policy makes such a run INCONCLUSIVE should it ever reach the verdict."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from checks.vocabulary import base_id, is_preflight
from reports.results import CheckResult

WAIVABLE_STATUSES = ("failed", "warning")
REQUIRED_FIELDS = ("check", "reason", "owner", "expires")


def run_date(started_at: str) -> date:
    """Waiver expiry is judged on the run's own date, so a re-check of the same results reaches the same verdict."""
    try:
        return datetime.fromisoformat(str(started_at).replace("Z", "+00:00")).date()
    except ValueError:
        return datetime.now(UTC).date()


def _parse_expiry(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def waiver_config_errors(waivers: Iterable[Mapping[str, Any]], catalog_ids: Collection[str]) -> list[str]:
    """One line per waiver whose `check` names no catalog check (the integrator's start-up check uses this too)."""
    return [
        f"waiver for {waiver.get('check') or '<no check>'} (owner {waiver.get('owner') or '<none>'})"
        for waiver in waivers
        if base_id(str(waiver.get("check") or "")) not in catalog_ids
    ]


def valid_waivers(
    waivers: Iterable[Mapping[str, Any]], today: date, catalog_ids: Collection[str] | None = None
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Honoured waivers by the id they name, plus one note per waiver that was ignored and why."""
    notes: list[str] = []
    valid: dict[str, dict[str, str]] = {}
    for waiver in waivers:
        check_id = str(waiver.get("check", "") or "<no check>")
        missing = [name for name in REQUIRED_FIELDS if not waiver.get(name)]
        expires = _parse_expiry(waiver.get("expires"))
        if missing:
            notes.append(f"waiver for {check_id} ignored: missing {', '.join(missing)}")
        elif expires is None:
            notes.append(f"waiver for {check_id} ignored: expires is not a YYYY-MM-DD date")
        elif catalog_ids is not None and base_id(check_id) not in catalog_ids:
            notes.append(f"waiver for {check_id} ignored: it names no catalog check (configuration error)")
        elif is_preflight(check_id):
            notes.append(f"waiver for {check_id} ignored: preflight (*.target.*) checks cannot be waived")
        elif expires < today:
            notes.append(f"waiver for {check_id} ignored: expired on {expires.isoformat()}")
        else:
            valid[check_id] = {name: str(waiver[name]) for name in REQUIRED_FIELDS}
            valid[check_id]["expires"] = expires.isoformat()
    return valid, notes


def waiver_for(check_id: str, base: str, valid: Mapping[str, dict[str, str]]) -> dict[str, str] | None:
    """The waiver for a result: one naming its exact (parametrized) id first, else its catalog id."""
    return valid.get(check_id) or valid.get(base)


def apply_waivers(
    checks: Iterable[CheckResult],
    waivers: Iterable[Mapping[str, Any]],
    today: date,
    catalog_ids: Collection[str] | None = None,
) -> tuple[list[CheckResult], list[str]]:
    """Return copies of `checks` with valid waivers applied, plus one note per waiver that was ignored and why."""
    valid, notes = valid_waivers(waivers, today, catalog_ids)
    applied: list[CheckResult] = []
    for check in checks:
        waiver = waiver_for(check.id, base_id(check), valid)
        if waiver is not None and check.status in WAIVABLE_STATUSES:
            check = dataclasses.replace(check, status="waived", waiver=dict(waiver))
        applied.append(check)
    return applied, notes
