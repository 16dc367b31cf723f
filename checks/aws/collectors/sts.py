"""STS: which account the credentials belong to (the caller ARN is not kept: it names a person)."""

from __future__ import annotations

from checks.aws.schema import StsData
from checks.aws.snapshot import CollectContext


def collect(ctx: CollectContext) -> StsData:
    identity = ctx.attempt("identity", lambda: ctx.client("sts").get_caller_identity())
    return {"account": identity.get("Account") if identity else None}
