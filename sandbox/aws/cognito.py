"""Provision the Cognito user pool, its web client and domain, plus the sandbox extras (SPEC §6, §9).

Extras that are not in the template: a second client `hedgehog-learn-other` (negative token tests) and the per-run test
users with permanent passwords. moto's CloudFormation skips Cognito entirely, hence direct API calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.aws.context import Context, Created

__all__ = ["HANDLERS", "OTHER_CLIENT_NAME", "TestUser", "ensure_other_client", "ensure_test_users"]

OTHER_CLIENT_NAME = "hedgehog-learn-other"

_POOL_PROPERTIES = {  # template property -> create_user_pool parameter
    "Policies": "Policies",
    "UsernameAttributes": "UsernameAttributes",
    "UsernameConfiguration": "UsernameConfiguration",
    "AutoVerifiedAttributes": "AutoVerifiedAttributes",
    "MfaConfiguration": "MfaConfiguration",
    "AccountRecoverySetting": "AccountRecoverySetting",
    "DeletionProtection": "DeletionProtection",
    "UserPoolTags": "UserPoolTags",
}
# Client settings that update_user_pool_client accepts too (GenerateSecret is fixed at creation).
_CLIENT_SETTINGS = (
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
)


@dataclass(frozen=True)
class TestUser:
    """A sandbox login. The password never appears in a repr, log line or error."""

    __test__ = False  # not a pytest test class, despite the name

    username: str
    password: str = field(repr=False)
    given_name: str = ""
    family_name: str = ""


def create_user_pool(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    name = props["UserPoolName"]
    pages = idp.get_paginator("list_user_pools").paginate(MaxResults=60)  # a shared moto may hold many pools
    pool_id = next((pool["Id"] for page in pages for pool in page["UserPools"] if pool["Name"] == name), None)
    if pool_id is None:
        request = {api: props[prop] for prop, api in _POOL_PROPERTIES.items() if prop in props}
        pool_id = idp.create_user_pool(PoolName=name, **request)["UserPool"]["Id"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}"
    return Created(
        ref=pool_id,
        attrs={
            "Arn": ctx.arn("cognito-idp", f"userpool/{pool_id}"),
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool_id,
        },
    )


def _upsert_client(ctx: Context, pool_id: str, name: str, settings: dict[str, Any], generate_secret: bool) -> str:
    """Create the client, or bring an existing one of that name back to `settings` (idempotent re-runs)."""
    idp = ctx.client("cognito-idp")
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == name), None)
    if client_id is None:
        response = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=name, GenerateSecret=generate_secret, **settings
        )
        return response["UserPoolClient"]["ClientId"]
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName=name, **settings)
    return client_id


def _client_settings(props: dict[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in _CLIENT_SETTINGS if key in props}


def create_user_pool_client(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    settings = _client_settings(props)
    if ctx.has_fault("client.drop_callback_url"):
        # The URL the API sends as redirect_uri is the first one (template: COGNITO_REDIRECT_URI = CallbackUrls[0]).
        settings["CallbackURLs"] = settings.get("CallbackURLs", [])[1:]
    client_id = _upsert_client(
        ctx, props["UserPoolId"], props["ClientName"], settings, bool(props.get("GenerateSecret", False))
    )
    return Created(ref=client_id, attrs={"ClientId": client_id})


def create_user_pool_domain(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    domain = props["Domain"]
    existing = idp.describe_user_pool_domain(Domain=domain).get("DomainDescription", {})
    if not existing.get("UserPoolId"):
        request: dict[str, Any] = {"Domain": domain, "UserPoolId": props["UserPoolId"]}
        if "ManagedLoginVersion" in props:
            request["ManagedLoginVersion"] = int(props["ManagedLoginVersion"])
        idp.create_user_pool_domain(**request)
    return Created(ref=domain, attrs={"CloudFrontDistribution": f"{domain}.auth.{ctx.region}.amazoncognito.com"})


def ensure_other_client(ctx: Context, pool_id: str, web_client_props: dict[str, Any]) -> str:
    """The second app client: same settings as the web client (never faulted), another audience."""
    return _upsert_client(ctx, pool_id, OTHER_CLIENT_NAME, _client_settings(web_client_props), False)


def ensure_test_users(ctx: Context, pool_id: str, users: Sequence[TestUser]) -> None:
    """Create (or reset) each test user with a verified email and a permanent password."""
    idp = ctx.client("cognito-idp")
    for user in users:
        attributes = [{"Name": "email", "Value": user.username}, {"Name": "email_verified", "Value": "true"}]
        attributes += [
            {"Name": name, "Value": value}
            for name, value in (("given_name", user.given_name), ("family_name", user.family_name))
            if value
        ]
        try:
            idp.admin_create_user(
                UserPoolId=pool_id, Username=user.username, UserAttributes=attributes, MessageAction="SUPPRESS"
            )
        except idp.exceptions.UsernameExistsException:
            # Re-run: the email is the username itself (re-setting it collides with the user's own alias).
            others = [attribute for attribute in attributes if attribute["Name"] != "email"]
            idp.admin_update_user_attributes(UserPoolId=pool_id, Username=user.username, UserAttributes=others)
        idp.admin_set_user_password(UserPoolId=pool_id, Username=user.username, Password=user.password, Permanent=True)


HANDLERS = {
    "AWS::Cognito::UserPool": create_user_pool,
    "AWS::Cognito::UserPoolClient": create_user_pool_client,
    "AWS::Cognito::UserPoolDomain": create_user_pool_domain,
}
