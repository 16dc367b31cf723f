"""CloudFormation: the stack (status, drift as last recorded) and a summary of its deployed template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.aws.collectors._util import pick
from checks.aws.names import stage_of
from checks.aws.schema import CloudFormationData, StackFields
from checks.aws.snapshot import CollectContext
from checks.aws.template import summarise_template

# The reference template; on local the sandbox provisions from it (moto's own CloudFormation is never used).
REFERENCE_TEMPLATE = Path(__file__).resolve().parents[3] / "backend" / "template.yaml"
_SECRET_WORDS = ("secret", "password", "token", "key")


def _parameters(stack: dict[str, Any]) -> dict[str, str]:
    """Parameter values for rendering names; anything that looks secret is dropped, never stored."""
    return {
        p["ParameterKey"]: p.get("ParameterValue", "")
        for p in stack.get("Parameters", [])
        if not any(word in p["ParameterKey"].lower() for word in _SECRET_WORDS)
    }


def collect(ctx: CollectContext) -> CloudFormationData:
    cfn = ctx.client("cloudformation")
    name = ctx.env.stack_name
    found = ctx.attempt("stack", lambda: cfn.describe_stacks(StackName=name)["Stacks"])
    stack = found[0] if found else None
    parameters = _parameters(stack) if stack else {}
    body = ctx.attempt("template", lambda: cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"])
    source = f"cloudformation get_template {name}"
    if body is None and ctx.env.kind == "local":
        # Local: moto's CloudFormation is bypassed by the provisioner, which walks this very file (SPEC §6).
        ctx.errors.pop("template", None)
        body = REFERENCE_TEMPLATE.read_text(encoding="utf-8")
        source = "backend/template.yaml (local: the provisioner's source)"
        parameters = {"Stage": stage_of(ctx.env), **parameters}
    template = None
    if body is not None:
        account = ctx.snapshot.get("sts").get("account")
        template = ctx.attempt(
            "template",
            lambda: summarise_template(
                body, parameters=parameters, region=ctx.aws.region, account_id=account, source=source
            ),
        )
    return {
        "stack_name": name,
        "stack": {**pick(stack, StackFields), "Parameters": sorted(parameters)} if stack else None,
        "template": template,
    }
