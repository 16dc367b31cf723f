"""Lambda: the function's configuration, its env var NAMES (values are read only to judge emptiness and the
test-bypass flag, then dropped), versions and aliases; with CRM enabled, the same for the CRM consumer plus the
event source mappings on the four table streams (`crm`)."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from checks.aws.collectors._util import pages, pick
from checks.aws.names import crm_enabled, crm_function_name
from checks.aws.schema import (
    Alias,
    CrmConsumer,
    EnvironmentSummary,
    EventSourceMapping,
    FunctionFields,
    LambdaData,
    Reference,
)
from checks.aws.snapshot import CollectContext


def summarise_environment(config: dict[str, Any]) -> EnvironmentSummary:
    """Names only. The values stay in this frame and are gone when it returns."""
    variables: dict[str, str] = (config.get("Environment") or {}).get("Variables") or {}
    bypass = variables.get("ENABLE_TEST_BYPASS")
    return {
        "names": sorted(variables),
        "empty": sorted(name for name, value in variables.items() if not str(value).strip()),
        "test_bypass_enabled": bypass is not None and bypass.strip().lower() == "true",
    }


# A HubSpot private-app token (`pat-na1-…`); any *TOKEN*/*SECRET*/*API_KEY* value that is not a reference counts too.
_TOKEN_VALUE = re.compile(r"^pat-[a-z0-9]+-", re.IGNORECASE)
_SECRET_NAME = re.compile(r"TOKEN|SECRET|API_?KEY|PASSWORD", re.IGNORECASE)
# What a reference looks like: an SSM parameter path or ARN, a Secrets Manager ARN, or a bare name in a variable
# that says it holds one (`*_PARAMETER`, `*_SECRET_ID`, ...). A token value matches none of these.
_SSM_ARN = re.compile(r"^arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter(/.+)$")
_SECRET_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$")
_SSM_PATH = re.compile(r"^(/[\w.\-]+)+$")
_REFERENCE_VARIABLE = re.compile(r"_(PARAMETER|PARAMETER_NAME|PARAM|SECRET_ID|SECRET_NAME|SECRET_ARN)$")
_BARE_NAME = re.compile(r"^[\w.\-/]+$")


def classify_reference(name: str, value: str) -> Reference | None:
    """`{"service": "ssm"|"secretsmanager", "id": ...}` when the variable names a parameter or secret, else None."""
    value = value.strip()
    if _TOKEN_VALUE.match(value):
        return None
    if match := _SSM_ARN.match(value):
        return {"service": "ssm", "id": match.group(1)}
    if _SECRET_ARN.match(value):
        return {"service": "secretsmanager", "id": value}
    if _SSM_PATH.match(value):
        return {"service": "ssm", "id": value}
    if _REFERENCE_VARIABLE.search(name.upper()) and _BARE_NAME.match(value):
        service = "secretsmanager" if "SECRET" in name.upper() else "ssm"
        return {"service": service, "id": value}
    return None


def summarise_consumer_environment(config: dict[str, Any]) -> EnvironmentSummary:
    """Names, plus which variables hold a token-like value (names only) and which name a parameter or secret (the
    reference is kept: a parameter name is not a secret). Every other value is gone when this returns."""
    variables: dict[str, str] = (config.get("Environment") or {}).get("Variables") or {}
    references: dict[str, Reference] = {}
    token_values: list[str] = []
    for name, raw in variables.items():
        value = str(raw)
        reference = classify_reference(name, value)
        if reference is not None:
            references[name] = reference
        elif value.strip() and (_TOKEN_VALUE.match(value.strip()) or _SECRET_NAME.search(name)):
            token_values.append(name)
    return {
        "names": sorted(variables),
        "empty": sorted(name for name, value in variables.items() if not str(value).strip()),
        "token_values": sorted(token_values),
        "references": references,
    }


def _streams(ctx: CollectContext) -> dict[str, tuple[str | None, str]]:
    """Each table role's stream ARN from the dynamodb section, with why it is None (no stream, or the describe
    failure the dynamodb section recorded)."""
    dynamodb = ctx.snapshot.get("dynamodb")
    errors = dynamodb.get("errors") or {}
    streams: dict[str, tuple[str | None, str]] = {}
    for role in dynamodb.get("names") or {}:
        table = (dynamodb.get("tables") or {}).get(role)
        failure = errors.get(f"{role}:describe_table") or errors.get("*")
        why = f"the {role} table has no stream" if table else f"the {role} table's stream is unknown ({failure})"
        streams[role] = ((table or {}).get("LatestStreamArn"), why)
    if not streams and "*" in errors:
        streams = {"*": (None, f"the table streams are unknown ({errors['*']})")}
    return streams


def collect_consumer(ctx: CollectContext) -> CrmConsumer:
    """The CRM consumer: configuration, aliases, and the mappings listed per table stream (so that a mapping on a
    wrong qualifier or another function is seen, not just the ones on the expected ARN)."""
    client = ctx.client("lambda")
    name = crm_function_name(ctx.env)
    config = ctx.attempt("crm:function", lambda: client.get_function_configuration(FunctionName=name))
    aliases = ctx.attempt("crm:aliases", lambda: pages(client, "list_aliases", "Aliases", FunctionName=name))
    mappings: dict[str, list[EventSourceMapping] | None] = {}
    for role, (stream, why) in _streams(ctx).items():
        if stream is None:
            ctx.errors[f"crm:mappings:{role}"] = why
            mappings[role] = None
            continue
        listed = ctx.attempt(
            f"crm:mappings:{role}",
            partial(pages, client, "list_event_source_mappings", "EventSourceMappings", EventSourceArn=stream),
        )
        mappings[role] = None if listed is None else [pick(m, EventSourceMapping) for m in listed]
    return {
        "function_name": name,
        "function": {**pick(config, FunctionFields), "Environment": summarise_consumer_environment(config)}
        if config
        else None,
        "aliases": None if aliases is None else [pick(a, Alias) for a in aliases],
        "mappings": mappings,
    }


def collect(ctx: CollectContext) -> LambdaData:
    client = ctx.client("lambda")
    name = ctx.env.function_name
    config = ctx.attempt("function", lambda: client.get_function_configuration(FunctionName=name))
    aliases = ctx.attempt("aliases", lambda: pages(client, "list_aliases", "Aliases", FunctionName=name))
    versions = ctx.attempt(
        "versions", lambda: pages(client, "list_versions_by_function", "Versions", FunctionName=name)
    )
    return {
        "function_name": name,
        "function": {**pick(config, FunctionFields), "Environment": summarise_environment(config)} if config else None,
        "aliases": None if aliases is None else [pick(a, Alias) for a in aliases],
        "versions": [v.get("Version") for v in versions or []] if versions is not None else None,
        "crm": collect_consumer(ctx) if crm_enabled(ctx.env) else None,
    }
