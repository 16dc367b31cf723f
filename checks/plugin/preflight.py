"""Preflight (`*.target.*`) checks: run first, publish their outcome to the run's shared directory, and block the
checks that depend on them, also when those run in another xdist worker."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from checks.catalog import CATALOG, CheckSpec
from checks.errors import PreflightBlocked

# Long enough for a preflight's own HTTP timeouts; a preflight that never reports still blocks (fails closed).
WAIT_S = 300.0
POLL_S = 0.2
BLOCKING = ("failed", "error", "blocked")


def preflight_order(items: Sequence[pytest.Item], spec_of: dict[pytest.Item, CheckSpec]) -> list[pytest.Item]:
    """Preflights first, in catalog order (gateway before /auth/me); the rest keep their order."""
    rank = {check_id: i for i, check_id in enumerate(CATALOG)}
    first = sorted((i for i in items if spec_of[i].is_preflight), key=lambda i: rank[spec_of[i].id])
    return first + [i for i in items if not spec_of[i].is_preflight]


def blockers(spec: CheckSpec, preflights: Sequence[CheckSpec]) -> tuple[str, ...]:
    """The selected preflights whose failure blocks `spec` (a preflight is only blocked by earlier ones)."""
    order = list(CATALOG)
    candidates = [p for p in preflights if p.blocks(spec)]
    if spec.is_preflight:
        candidates = [p for p in candidates if order.index(p.id) < order.index(spec.id)]
    return tuple(p.id for p in candidates)


def _result_file(shared_dir: Path, check_id: str) -> Path:
    return shared_dir / "preflight" / f"{check_id}.json"


def publish(shared_dir: Path, check_id: str, status: str, message: str) -> None:
    path = _result_file(shared_dir, check_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"status": status, "message": message}), encoding="utf-8")
    tmp.replace(path)  # atomic: a waiting worker never reads half a file


def raise_if_blocked(shared_dir: Path, blocked_by: Sequence[str], *, wait_s: float = WAIT_S) -> None:
    """Wait (bounded) for each blocking preflight's outcome; raise PreflightBlocked if one did not pass."""
    deadline = time.monotonic() + wait_s
    for check_id in blocked_by:
        path = _result_file(shared_dir, check_id)
        while not path.is_file():
            if time.monotonic() > deadline:
                raise PreflightBlocked(f"preflight {check_id} reported no outcome within {wait_s:.0f} s")
            time.sleep(POLL_S)
        outcome = json.loads(path.read_text(encoding="utf-8"))
        if outcome["status"] in BLOCKING:
            # Short on purpose: the preflight's own message is the run's one environment error.
            raise PreflightBlocked(f"preflight {check_id} {outcome['status']}")
