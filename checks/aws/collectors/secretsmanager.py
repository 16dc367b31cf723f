"""Secrets Manager: the metadata of any secret the CRM consumer's environment references (DescribeSecret only; the
guard refuses GetSecretValue, so a value is never read)."""

from __future__ import annotations

from functools import partial

from checks.aws.collectors._util import pick
from checks.aws.collectors.ssm import referenced
from checks.aws.names import crm_enabled
from checks.aws.schema import Secret, SecretsManagerData
from checks.aws.snapshot import CollectContext


def collect(ctx: CollectContext) -> SecretsManagerData:
    if not crm_enabled(ctx.env):
        return {"secrets": {}}
    client = ctx.client("secretsmanager")
    secrets: dict[str, Secret | None] = {}
    for secret_id in referenced(ctx.snapshot.get("lambda"), "secretsmanager"):
        described = ctx.attempt(f"secret:{secret_id}", partial(client.describe_secret, SecretId=secret_id))
        secrets[secret_id] = pick(described, Secret) if described else None
    return {"secrets": secrets}
