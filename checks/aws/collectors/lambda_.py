"""Lambda: the function's configuration, its env var NAMES (values are read only to judge emptiness and the
test-bypass flag, then dropped), versions and aliases."""

from __future__ import annotations

from typing import Any

from checks.aws.collectors._util import pages, pick
from checks.aws.snapshot import CollectContext

CONFIG_FIELDS = (
    "FunctionName",
    "FunctionArn",
    "Runtime",
    "Handler",
    "MemorySize",
    "Timeout",
    "State",
    "StateReason",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastModified",
    "Role",
    "Architectures",
    "Version",
    "CodeSha256",
    "PackageType",
    "LoggingConfig",
)


def summarise_environment(config: dict[str, Any]) -> dict[str, Any]:
    """Names only. The values stay in this frame and are gone when it returns."""
    variables: dict[str, str] = (config.get("Environment") or {}).get("Variables") or {}
    bypass = variables.get("ENABLE_TEST_BYPASS")
    return {
        "names": sorted(variables),
        "empty": sorted(name for name, value in variables.items() if not str(value).strip()),
        "test_bypass_enabled": bypass is not None and bypass.strip().lower() == "true",
    }


def collect(ctx: CollectContext) -> dict[str, Any]:
    client = ctx.client("lambda")
    name = ctx.env.function_name
    config = ctx.attempt("function", lambda: client.get_function_configuration(FunctionName=name))
    aliases = ctx.attempt("aliases", lambda: pages(client, "list_aliases", "Aliases", FunctionName=name))
    versions = ctx.attempt(
        "versions", lambda: pages(client, "list_versions_by_function", "Versions", FunctionName=name)
    )
    return {
        "function_name": name,
        "function": {**pick(config, CONFIG_FIELDS), "Environment": summarise_environment(config)} if config else None,
        "aliases": None
        if aliases is None
        else [pick(a, ("Name", "AliasArn", "FunctionVersion", "RoutingConfig")) for a in aliases],
        "versions": [v.get("Version") for v in versions or []] if versions is not None else None,
    }
