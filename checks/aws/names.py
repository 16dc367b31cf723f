"""Names derived from the environment (SPEC §2 naming pattern), shared by collectors and rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from environments import Environment

__all__ = [
    "CRM_ALARM_SUFFIXES",
    "CRM_ALIAS",
    "TABLE_ROLES",
    "alarm_name",
    "cognito_domain_prefix",
    "crm_dlq_name",
    "crm_enabled",
    "crm_function_name",
    "crm_log_group",
    "crm_stage",
    "crm_token_parameter",
    "dashboard_name",
    "stage_of",
    "table_names",
]

TABLE_ROLES = ("users", "enrollments", "progress", "badges")
STACK_PREFIX = "hedgehog-learn-"
API_FUNCTION_SUFFIX = "-api"
# The CRM consumer's names (SPEC §6 "Second wave"); the env's `crm` section may override each one.
CRM_ALIAS = "live"
CRM_ALARM_SUFFIXES = ("crm-sync-errors", "crm-sync-iterator-age", "crm-sync-dlq-depth")


def stage_of(env: Environment) -> str:
    """The stage, from the stack name `hedgehog-learn-<stage>` (the only name every env file carries)."""
    return str(env.stack_name).removeprefix(STACK_PREFIX)


def table_names(env: Environment) -> dict[str, str]:
    return {role: getattr(env.tables, role) for role in TABLE_ROLES}


def alarm_name(env: Environment, suffix: str) -> str:
    return f"{str(env.alarm_prefix).rstrip('-')}-{suffix}"


def dashboard_name(env: Environment) -> str:
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


def crm_enabled(env: Environment) -> bool:
    """Whether the env's CRM sync is on (`crm.enabled`); an env object without a `crm` section counts as off."""
    return bool(getattr(getattr(env, "crm", None), "enabled", False))


def crm_stage(env: Environment) -> str:
    """The stage the consumer's names use: from the API function `hedgehog-learn-<stage>-api` (the name the other
    resources of the stage share), else from the stack name."""
    name = str(env.function_name)
    if name.startswith(STACK_PREFIX) and name.endswith(API_FUNCTION_SUFFIX):
        return name.removeprefix(STACK_PREFIX).removesuffix(API_FUNCTION_SUFFIX)
    return stage_of(env)


def crm_function_name(env: Environment) -> str:
    """The consumer: env `crm.function_name`, else `hedgehog-learn-<stage>-crm-sync`."""
    return env.crm.function_name or f"{STACK_PREFIX}{crm_stage(env)}-crm-sync"


def crm_dlq_name(env: Environment) -> str:
    """The consumer's on-failure queue: env `crm.dlq_name`, else `hedgehog-learn-<stage>-crm-sync-dlq`."""
    return env.crm.dlq_name or f"{crm_function_name(env)}-dlq"


def crm_token_parameter(env: Environment) -> str:
    """The SSM parameter naming the HubSpot token: env `crm.token_parameter`, else
    `/hedgehog-learn/<stage>/hubspot-token`."""
    return env.crm.token_parameter or f"/{STACK_PREFIX.rstrip('-')}/{crm_stage(env)}/hubspot-token"


def crm_log_group(env: Environment) -> str:
    return f"/aws/lambda/{crm_function_name(env)}"
