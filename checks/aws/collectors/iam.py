"""IAM: the function role's policy documents (inline and attached default versions)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import unquote

from checks.aws.collectors._util import pages
from checks.aws.schema import IamData
from checks.aws.snapshot import CollectContext


def _document(value: Any) -> Any:
    # IAM returns URL-encoded JSON; botocore usually decodes it, a raw endpoint may not.
    return json.loads(unquote(value)) if isinstance(value, str) else value


def collect(ctx: CollectContext) -> IamData:
    lambda_section = ctx.snapshot.get("lambda")
    role_arn = (lambda_section.get("function") or {}).get("Role")
    if not role_arn:
        why = lambda_section["errors"].get("function") or lambda_section["errors"].get("*") or "no Role"
        ctx.errors["role"] = f"function role unknown: {why}"
        return {"role": None, "inline_policies": {}, "attached_policies": {}}
    role = role_arn.rsplit("/", 1)[-1]
    iam = ctx.client("iam")
    inline: dict[str, Any] = {}
    for name in ctx.attempt("inline", lambda: pages(iam, "list_role_policies", "PolicyNames", RoleName=role)) or []:
        doc = ctx.attempt(f"inline:{name}", partial(iam.get_role_policy, RoleName=role, PolicyName=name))
        if doc:
            inline[name] = _document(doc["PolicyDocument"])
    attached: dict[str, Any] = {}
    listed = ctx.attempt(
        "attached", lambda: pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)
    )
    for policy in listed or []:
        arn = policy["PolicyArn"]

        def version(arn: str = arn) -> Any:
            default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            return iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]

        doc = ctx.attempt(f"attached:{arn}", version)
        if doc is not None:
            attached[arn] = _document(doc)
    return {"role": {"RoleName": role, "Arn": role_arn}, "inline_policies": inline, "attached_policies": attached}
