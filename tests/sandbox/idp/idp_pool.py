"""Provisioning of the test user pool in moto: clients for each SPEC §9 rule and users in each state."""

from __future__ import annotations

from typing import Any

import boto3

from sandbox.aws.moto_server import MotoHandle
from tests.sandbox.idp.idp_flow import CALLBACK, LOGOUT, PASSWORD, Pool

REGION = "us-west-2"
WEB_CLIENT = {
    "AllowedOAuthFlowsUserPoolClient": True,
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email", "profile"],
    "CallbackURLs": [CALLBACK],
    "LogoutURLs": [LOGOUT],
    "SupportedIdentityProviders": ["COGNITO"],
    "AccessTokenValidity": 60,
    "IdTokenValidity": 60,
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
}


def cognito(moto: MotoHandle) -> Any:
    """A boto3 cognito-idp client on the test moto (dummy credentials)."""
    return boto3.client(
        "cognito-idp", endpoint_url=moto.url, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"
    )


def _create_user(client, pool_id: str, email: str, extra: dict[str, str], *, permanent: bool = True) -> str:
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    attributes += [{"Name": k, "Value": v} for k, v in extra.items()]
    client.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
        TemporaryPassword=PASSWORD,
    )
    if permanent:
        client.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    user = client.admin_get_user(UserPoolId=pool_id, Username=email)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def provision_pool(moto: MotoHandle) -> Pool:
    """A new pool in moto: one client per §9 rule and users in each state."""
    client = cognito(moto)
    pool_id = client.create_user_pool(PoolName="hhl-idp-test", UsernameAttributes=["email"])["UserPool"]["Id"]
    short = {**WEB_CLIENT, "AccessTokenValidity": 5, "IdTokenValidity": 10}
    specs = {
        "web": WEB_CLIENT,
        "confidential": {**WEB_CLIENT, "GenerateSecret": True},
        "social": {**WEB_CLIENT, "SupportedIdentityProviders": ["COGNITO", "Google"]},
        "noflow": {**WEB_CLIENT, "AllowedOAuthFlows": ["implicit"]},
        "short": short,
        "mutable": WEB_CLIENT,
    }
    clients, secret = {}, ""
    for role, spec in specs.items():
        made = client.create_user_pool_client(UserPoolId=pool_id, ClientName=f"hhl-{role}", **spec)["UserPoolClient"]
        clients[role] = made["ClientId"]
        secret = made.get("ClientSecret", secret)
    users = {
        "ann": "ann@example.com",
        "plain": "plain@example.com",
        "disabled": "disabled@example.com",
        "pending": "pending@example.com",
    }
    names = {"given_name": "Ann", "family_name": "Example", "name": "Ann Example"}
    subs = {
        "ann": _create_user(client, pool_id, users["ann"], names),
        "plain": _create_user(client, pool_id, users["plain"], {}),
        "disabled": _create_user(client, pool_id, users["disabled"], {}),
        "pending": _create_user(client, pool_id, users["pending"], {}, permanent=False),
    }
    client.admin_disable_user(UserPoolId=pool_id, Username=users["disabled"])
    return Pool(pool_id=pool_id, clients=clients, secret=secret, users=users, subs=subs)
