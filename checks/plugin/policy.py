"""Which checks may run against an environment: applicability by env kind, and the write policy (a forbidden
write is a loud `error`, never a silent skip)."""

from __future__ import annotations

from checks.catalog import CheckSpec
from checks.errors import WritesNotAllowed
from environments import Environment


def not_applicable_reason(spec: CheckSpec, env: Environment) -> str | None:
    """`skipped` reason for a check that cannot apply to this kind of env (fault injection needs the sandbox)."""
    if not spec.applies_to(env.kind) or (spec.writes == "fault" and env.kind != "local"):
        return f"not applicable to {env.kind}"
    return None


def ensure_writes_allowed(spec: CheckSpec, env: Environment) -> None:
    if spec.writes in ("user", "fault") and not env.allow_writes:
        raise WritesNotAllowed(
            f"writes not allowed in {env.name}: set allow_writes or deselect "
            f"({spec.id} writes `{spec.writes}`; e.g. -m \"not writes(kind='{spec.writes}')\")"
        )
