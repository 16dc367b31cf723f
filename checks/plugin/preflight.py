"""Prerequisites: `*.target.*` preflights (which block whole areas) and the catalog's declared `requires`.

A prerequisite runs first, publishes its outcome to the run's shared directory, and blocks the checks that depend
on it, also when those run in another xdist worker. One broken root then shows as one red check plus `blocked`
dependants that name it (SPEC §10: one root cause, one red check)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.catalog import CATALOG, CheckSpec
from checks.errors import PreflightBlocked

# Long enough for a preflight's own HTTP timeouts; a prerequisite that never reports still blocks (fails closed).
WAIT_S = 300.0
POLL_S = 0.2
BLOCKING = ("failed", "error", "blocked")


@dataclass(frozen=True)
class Blocker:
    """One prerequisite of an item: its check id and the result ids (one per parametrized item) it publishes."""

    check_id: str
    result_ids: tuple[str, ...]
    kind: str  # "preflight" | "prerequisite"


def is_prerequisite(spec: CheckSpec, catalog: Mapping[str, CheckSpec] = CATALOG) -> bool:
    """Whether some check waits for this one's outcome (so it must publish it)."""
    return spec.is_preflight or any(spec.id in other.requires for other in catalog.values())


def _depends_on(spec: CheckSpec, other: CheckSpec, order: Sequence[str]) -> bool:
    """Whether `other` failing blocks `spec`: a preflight of an area `spec` touches, or a declared prerequisite."""
    if other.id == spec.id:
        return False
    if other.id in spec.requires:
        return True
    if not other.blocks(spec):
        return False
    # A preflight is only blocked by earlier preflights (catalog order: gateway before /auth/me).
    return not spec.is_preflight or order.index(other.id) < order.index(spec.id)


def blockers(
    spec: CheckSpec, selected: Mapping[str, Sequence[str]], catalog: Mapping[str, CheckSpec] = CATALOG
) -> tuple[Blocker, ...]:
    """The selected checks (id → their result ids) whose failure blocks `spec`."""
    order = list(catalog)
    return tuple(
        Blocker(other_id, tuple(result_ids), "preflight" if catalog[other_id].is_preflight else "prerequisite")
        for other_id, result_ids in selected.items()
        if _depends_on(spec, catalog[other_id], order)
    )


def prerequisite_order(
    items: Sequence[Any], spec_of: Mapping[Any, CheckSpec], catalog: Mapping[str, CheckSpec] = CATALOG
) -> list[Any]:
    """Preflights first (catalog order), then every item after the items it depends on; otherwise stable."""
    rank = {check_id: i for i, check_id in enumerate(catalog)}
    first = sorted((i for i in items if spec_of[i].is_preflight), key=lambda i: rank[spec_of[i].id])
    by_id: dict[str, list[Any]] = {}
    for item in items:
        by_id.setdefault(spec_of[item].id, []).append(item)
    ordered: list[Any] = list(first)
    placed = set(first)
    visiting: set[str] = set()

    def place(item: Any) -> None:
        if item in placed:
            return
        spec = spec_of[item]
        if spec.id not in visiting:  # a cycle in `requires` is rejected by the catalog; this is a guard
            visiting.add(spec.id)
            for required in spec.requires:
                for dependency in by_id.get(required, ()):
                    place(dependency)
            visiting.discard(spec.id)
        ordered.append(item)
        placed.add(item)

    for item in items:
        place(item)
    return ordered


def _result_file(shared_dir: Path, result_id: str) -> Path:
    return shared_dir / "preflight" / f"{result_id}.json"


def publish(shared_dir: Path, result_id: str, status: str, message: str) -> None:
    path = _result_file(shared_dir, result_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"status": status, "message": message}), encoding="utf-8")
    tmp.replace(path)  # atomic: a waiting worker never reads half a file


def raise_if_blocked(shared_dir: Path, blocked_by: Sequence[Blocker], *, wait_s: float = WAIT_S) -> None:
    """Wait (bounded) for each prerequisite's outcome; raise PreflightBlocked if one did not pass."""
    deadline = time.monotonic() + wait_s
    for blocker in blocked_by:
        for result_id in blocker.result_ids:
            path = _result_file(shared_dir, result_id)
            while not path.is_file():
                if time.monotonic() > deadline:
                    raise PreflightBlocked(f"{blocker.kind} {result_id} reported no outcome within {wait_s:.0f} s")
                time.sleep(POLL_S)
            outcome = json.loads(path.read_text(encoding="utf-8"))
            if outcome["status"] in BLOCKING:
                # Short on purpose: the prerequisite's own message is the run's one error for this root cause.
                raise PreflightBlocked(f"{blocker.kind} {result_id} {outcome['status']}")
