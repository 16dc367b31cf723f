"""Names derived from the environment (SPEC §2 naming pattern), shared by collectors and rules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["TABLE_ROLES", "alarm_name", "cognito_domain_prefix", "dashboard_name", "stage_of", "table_names"]

TABLE_ROLES = ("users", "enrollments", "progress", "badges")
STACK_PREFIX = "hedgehog-learn-"


def stage_of(env: Any) -> str:
    """The stage, from the stack name `hedgehog-learn-<stage>` (the only name every env file carries)."""
    return str(env.stack_name).removeprefix(STACK_PREFIX)


def table_names(env: Any) -> dict[str, str]:
    return {role: getattr(env.tables, role) for role in TABLE_ROLES}


def alarm_name(env: Any, suffix: str) -> str:
    return f"{str(env.alarm_prefix).rstrip('-')}-{suffix}"


def dashboard_name(env: Any) -> str:
    """The env's dashboard, else SPEC §6's name `hedgehog-learn-<stage>`, so that a missing one is found missing."""
    return env.dashboard or f"{STACK_PREFIX}{stage_of(env)}"


def cognito_domain_prefix(domain: str | None) -> str | None:
    """`<prefix>` of `https://<prefix>.auth.<region>.amazoncognito.com`; None for any other host (the sandbox's
    stand-in, a custom domain), in which case the pool's own `Domain` attribute names it."""
    if not domain:
        return None
    host = urlsplit(domain if "://" in domain else f"https://{domain}").hostname or ""
    if host.endswith(".amazoncognito.com"):
        return host.split(".", 1)[0]
    return None
