"""The harness's one vocabulary: areas, severities, statuses, write classes, scopes and exit codes (SPEC §10, §11).

Each word list is declared once, as a `Literal` type, and its tuple is derived from that type, so the type
checker and the runtime validators (catalog parser, env loader, result validation, count tables) can never
disagree. Import from here; never re-declare a list.

>>> base_id("api.me.invalid_tokens[expired]"), is_preflight("api.target.gateway_fingerprint")
('api.me.invalid_tokens', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Literal, get_args

Area = Literal["api", "e2e", "infra", "security", "crm", "load"]
Severity = Literal["critical", "high", "medium", "low"]  # most severe first
Status = Literal["passed", "failed", "warning", "skipped", "blocked", "error", "waived"]
FindingStatus = Literal["passed", "failed", "warning"]  # what a judged rule can conclude (checks/aws)
Writes = Literal["none", "user", "fault"]  # catalog `writes`: read-only, the test user's own rows, fault injection
Scope = Literal["all", "local", "real"]  # catalog `scope`: the env kinds a check applies to
RunScope = Literal["full", "smoke"]  # a run's scope: every applicable check, or the `smoke: true` entries
EnvKind = Literal["local", "aws"]

AREAS: tuple[Area, ...] = get_args(Area)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
STATUSES: tuple[Status, ...] = get_args(Status)
FINDING_STATUSES: tuple[FindingStatus, ...] = get_args(FindingStatus)
WRITES: tuple[Writes, ...] = get_args(Writes)
SCOPES: tuple[Scope, ...] = get_args(Scope)
RUN_SCOPES: tuple[RunScope, ...] = get_args(RunScope)
ENV_KINDS: tuple[EnvKind, ...] = get_args(EnvKind)

# Which catalog scope an env kind runs (`all` runs everywhere).
SCOPE_BY_KIND: dict[str, Scope] = {"local": "local", "aws": "real"}


class ExitCode(IntEnum):
    """Exit status of the gate (`python -m reports.gate`) and of the harness session.

    0-2 are verdicts (which one wins when several rules fire: `reports.verdicts.dominant`); 3-5 keep pytest's
    own meaning."""

    GO = 0  # every critical check of the scope ran and passed; no critical/high failure unwaived
    NO_GO = 1  # a critical/high check failed unwaived, or an alarm is in ALARM
    INCONCLUSIVE = 2  # the run cannot prove anything (preflight, coverage, interruption, integrity, redaction)
    INTERNAL_ERROR = 3  # pytest: internal error
    USAGE_ERROR = 4  # pytest: usage or configuration error (bad option, env file, waiver naming no check)
    NO_TESTS = 5  # pytest: nothing collected


def base_id(check: str | Mapping[str, Any] | Any) -> str:
    """The catalog id of a check id, a results.json check dict or a CheckResult: without any `[param]` suffix.

    A recorded `check_id` wins over parsing `id` (the plugin records both)."""
    if isinstance(check, str):
        return check.split("[", 1)[0]
    if isinstance(check, Mapping):
        recorded, raw = check.get("check_id"), check.get("id", "")
    else:
        recorded, raw = getattr(check, "check_id", ""), getattr(check, "id", "")
    return str(recorded) if recorded else str(raw).split("[", 1)[0]


def is_preflight(check_id: str) -> bool:
    """Preflight checks (`<area>.target.<name>`) prove the target itself: they run first, block their dependants
    when they fail, and can never be waived."""
    parts = base_id(check_id).split(".")
    return len(parts) >= 3 and parts[1] == "target"
