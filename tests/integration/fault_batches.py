"""The fault matrix's runs: faults planted together when nothing can make one hide another.

A harness run per fault costs its start-up (a sandbox, the plugin, the reports) and the whole of its areas' suites;
most faults are caught by one check of one area, so one run per fault spends most of its time re-running the same
healthy checks. Faults whose checks cannot interact share a run instead, and that run is judged more strictly than
a run per fault was: every fault's checks red, **and no other check red** (one root cause, one red check).

Two faults never share a run when
- they name a common check (which of them turned it red could not be told), or
- one fault's check is, through the catalog's `requires`, a prerequisite of the other's (it would be blocked, not red);
- either stops more than its own checks: a preflight (INCONCLUSIVE; it blocks whole areas);
- they need different areas (a run executes the union of its faults' suites: mixing areas makes every run as long
  as the longest, while the same areas side by side cost one set of suites per batch).

`HHL_MATRIX_SOLO=1` puts every fault in a run of its own (the slow, per-fault form, for when a batch needs telling
apart).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from checks.catalog import CATALOG
from sandbox.faults import Fault

SOLO = os.environ.get("HHL_MATRIX_SOLO", "") == "1"


def area(check_id: str) -> str:
    return check_id.split(".", 1)[0]


@dataclass(frozen=True)
class Batch:
    faults: tuple[Fault, ...]

    @property
    def id(self) -> str:
        return "+".join(fault.name for fault in self.faults)

    @property
    def areas(self) -> frozenset[str]:
        return frozenset(area(check) for fault in self.faults for check in fault.caught_by)

    @property
    def caught_by(self) -> frozenset[str]:
        return frozenset(check for fault in self.faults for check in fault.caught_by)

    @property
    def verdict(self) -> str:
        (verdict,) = {fault.verdict for fault in self.faults}  # batches never mix verdicts (a preflight is alone)
        return verdict


@cache
def downstream(check_id: str) -> frozenset[str]:
    """The checks a failure of `check_id` blocks (its dependents through `requires`, transitively), itself included."""
    found = {check_id}
    frontier = [check_id]
    while frontier:
        current = frontier.pop()
        for spec in CATALOG.values():
            if current in spec.requires and spec.id not in found:
                found.add(spec.id)
                frontier.append(spec.id)
    return frozenset(found)


def alone(fault: Fault) -> bool:
    return SOLO or fault.verdict != "NO-GO" or any(CATALOG[check].is_preflight for check in fault.caught_by)


def interferes(a: Fault, b: Fault) -> bool:
    """Whether `a` could hide `b` or `b` hide `a`: a shared check, or one's check upstream of the other's."""
    reach_a = frozenset().union(*(downstream(check) for check in a.caught_by))
    reach_b = frozenset().union(*(downstream(check) for check in b.caught_by))
    return bool(reach_a & set(b.caught_by)) or bool(reach_b & set(a.caught_by))


def batches(faults: Iterable[Fault]) -> list[Batch]:
    """First fit, in catalog order: each fault joins the first batch of the same areas it cannot interfere with."""
    groups: list[list[Fault]] = []
    for fault in faults:
        areas = frozenset(area(check) for check in fault.caught_by)
        home = None
        if not alone(fault):
            home = next(
                (
                    group
                    for group in groups
                    if not alone(group[0])
                    and Batch(tuple(group)).areas == areas
                    and not any(interferes(fault, other) for other in group)
                ),
                None,
            )
        if home is None:
            groups.append([fault])
        else:
            home.append(fault)
    return [Batch(tuple(group)) for group in groups]
