"""The declarative check model: a registry of rules, each judging snapshot sections and producing a `Finding`.

A rule is a small function decorated with `@rule(check_id, *services)`. It reads sections through a `View` (which
turns an uncollected item into `ServiceUnavailable`, i.e. a failure quoting the collector's error, never a pass)
and states expectations on a `Judgement`. `evaluate(snapshot, check_id)` runs one rule and returns its Finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.aws.schema import ItemGetter, SectionGetter, SnapshotLike
from checks.aws.snapshot import ServiceUnavailable
from checks.vocabulary import FindingStatus as Status

__all__ = ["CHECKS", "Check", "Finding", "Judgement", "SnapshotLike", "View", "evaluate", "rule"]


@dataclass(frozen=True)
class Finding:
    check_id: str
    status: Status
    expected: dict[str, Any]
    actual: dict[str, Any]
    message: str
    evidence: tuple[str, ...]  # snapshot services judged: evidence/_aws/<service>.json


@dataclass
class Judgement:
    """Accumulates expected/actual pairs, failures and warnings for one check."""

    expected: dict[str, Any] = field(default_factory=dict)
    actual: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def expect(self, label: str, expected: Any, actual: Any, ok: bool | None = None, detail: str | None = None) -> bool:
        """Record a comparison; `ok` defaults to equality; `detail` replaces the generic failure text. Returns
        whether it held."""
        self.expected[label] = expected
        self.actual[label] = actual
        held = (expected == actual) if ok is None else ok
        if not held:
            self.failures.append(f"{label}: {detail}" if detail else f"{label}: expected {expected!r}, got {actual!r}")
        return held

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)


class View:
    """Read access to the snapshot for one rule; every missing piece raises with the collector's own message.

    `section(service)` and `item(service, key)` are typed per service and key by checks/aws/schema.py."""

    def __init__(self, snapshot: SnapshotLike) -> None:
        self.snapshot = snapshot
        self.env = snapshot.env
        self.section: SectionGetter = self._section
        self.item: ItemGetter = self._item

    def _section(self, service: str) -> Any:
        """The section, or ServiceUnavailable when its collector failed as a whole."""
        data = self.snapshot.get(service)
        if "*" in data.get("errors", {}):
            raise ServiceUnavailable(f"{service}: {data['errors']['*']}")
        return data

    def _item(self, service: str, key: str, *error_keys: str) -> Any:
        """`section[key]`, or ServiceUnavailable naming the first recorded error among `error_keys` (default: key)."""
        data: Mapping[str, Any] = self._section(service)
        value = data.get(key)
        if value is None:
            errors = data.get("errors", {})
            for error_key in error_keys or (key,):
                if error_key in errors:
                    raise ServiceUnavailable(f"{service} {error_key}: {errors[error_key]}")
            if errors:
                # The item depends on another that failed (e.g. the domain on the pool): quote that failure.
                raise ServiceUnavailable(f"{service}: {key} not collected ({'; '.join(errors.values())})")
            raise ServiceUnavailable(f"{service}: {key} not found")
        return value

    def error(self, service: str, key: str) -> str | None:
        return self.snapshot.get(service).get("errors", {}).get(key)


RuleFn = Callable[[View, Judgement], None]


@dataclass(frozen=True)
class Check:
    id: str
    services: tuple[str, ...]  # the resource selector: which snapshot sections the rule judges
    judge: RuleFn
    title: str


CHECKS: dict[str, Check] = {}


def rule(check_id: str, *services: str) -> Callable[[RuleFn], RuleFn]:
    """Register `fn` as the rule for `check_id`; its docstring is the title."""

    def register(fn: RuleFn) -> RuleFn:
        if check_id in CHECKS:
            raise ValueError(f"duplicate rule for {check_id}")
        CHECKS[check_id] = Check(check_id, services, fn, (fn.__doc__ or check_id).strip().splitlines()[0])
        return fn

    return register


def evaluate(snapshot: SnapshotLike, check_id: str) -> Finding:
    """Run the rule for `check_id` against `snapshot`."""
    import checks.aws.rules  # noqa: F401 - registers every rule on first use

    if check_id not in CHECKS:
        raise KeyError(f"no infra rule for check {check_id!r}; known: {', '.join(sorted(CHECKS))}")
    check = CHECKS[check_id]
    judgement = Judgement()
    try:
        check.judge(View(snapshot), judgement)
    except ServiceUnavailable as exc:
        judgement.fail(f"could not collect: {exc}")
    if judgement.notes:  # recorded with the evidence whatever the outcome (SPEC §10 [reference] notes)
        judgement.actual["notes"] = list(judgement.notes)
    if judgement.failures:
        status: Status = "failed"
        message = "; ".join(judgement.failures + judgement.warnings)
    elif judgement.warnings:
        status, message = "warning", "; ".join(judgement.warnings)
    else:
        status, message = "passed", "; ".join(judgement.notes) or "as expected"
    return Finding(check_id, status, judgement.expected, judgement.actual, message, check.services)
