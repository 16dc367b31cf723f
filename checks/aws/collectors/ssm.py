"""SSM Parameter Store: the metadata of the CRM token parameter (the env's name and every parameter the consumer's
environment references). Only DescribeParameters: a value is never read (the guard refuses GetParameter*)."""

from __future__ import annotations

from checks.aws.collectors._util import pages, pick
from checks.aws.names import crm_enabled, crm_token_parameter
from checks.aws.schema import LambdaData, Parameter, SsmData
from checks.aws.snapshot import CollectContext


def referenced(lambda_section: LambdaData, service: str) -> list[str]:
    """Ids of the parameters (`ssm`) or secrets (`secretsmanager`) the consumer's environment names."""
    crm = lambda_section.get("crm")
    environment = ((crm.get("function") if crm else None) or {}).get("Environment") or {}
    return sorted({r["id"] for r in (environment.get("references") or {}).values() if r.get("service") == service})


def collect(ctx: CollectContext) -> SsmData:
    if not crm_enabled(ctx.env):
        return {"token_parameter": None, "parameters": {}}
    expected = crm_token_parameter(ctx.env)
    names = sorted({expected, *referenced(ctx.snapshot.get("lambda"), "ssm")})
    ssm = ctx.client("ssm")
    described = ctx.attempt(
        "parameters",
        lambda: pages(
            ssm,
            "describe_parameters",
            "Parameters",
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": names}],
        ),
    )
    found = {p["Name"]: pick(p, Parameter) for p in described or []}
    if described is not None:
        for name in names:
            if name not in found:
                ctx.errors[f"parameter:{name}"] = f"parameter {name} not found (DescribeParameters)"
    return {"token_parameter": expected, "parameters": {name: found.get(name) for name in names}}
