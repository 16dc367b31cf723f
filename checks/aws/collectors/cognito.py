"""Cognito: the user pool, the app client (the secret itself is dropped; only whether one exists is kept) and the
hosted-UI domain."""

from __future__ import annotations

from checks.aws.collectors._util import pick
from checks.aws.names import cognito_domain_prefix
from checks.aws.schema import ClientFields, CognitoData, Domain, UserPool
from checks.aws.snapshot import CollectContext


def collect(ctx: CollectContext) -> CognitoData:
    idp = ctx.client("cognito-idp")
    cognito = ctx.env.cognito
    pool = ctx.attempt("pool", lambda: idp.describe_user_pool(UserPoolId=cognito.user_pool_id)["UserPool"])
    client = ctx.attempt(
        "client",
        lambda: idp.describe_user_pool_client(UserPoolId=cognito.user_pool_id, ClientId=cognito.client_id)[
            "UserPoolClient"
        ],
    )
    prefix = cognito_domain_prefix(cognito.domain)
    prefix_source = "env cognito.domain"
    if prefix is None and pool:
        # The env's domain is not a Cognito host (sandbox stand-in or custom domain): the pool names its domain.
        prefix, prefix_source = pool.get("Domain") or pool.get("CustomDomain"), "user pool Domain attribute"
    domain = None
    if prefix:
        described = ctx.attempt("domain", lambda: idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"])
        if described is not None and not described:
            ctx.errors["domain"] = f"user pool domain {prefix} not found"
        domain = pick(described, Domain) or None
    elif "pool" not in ctx.errors:
        ctx.errors["domain"] = "no hosted-UI domain: env cognito.domain is not a Cognito host and the pool has none"
    return {
        "user_pool_id": cognito.user_pool_id,
        "client_id": cognito.client_id,
        "pool": pick(pool, UserPool) if pool else None,
        "client": {**pick(client, ClientFields), "HasSecret": bool(client.get("ClientSecret"))} if client else None,
        "domain_prefix": prefix,
        "domain_prefix_source": prefix_source,
        "domain": domain,
    }
