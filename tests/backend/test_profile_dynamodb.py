"""Login and /auth/me against the real Store on moto's in-process DynamoDB (users table per SPEC §4.1, §4.2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hhl_backend.config import Settings
from hhl_backend.store import Store
from moto import mock_aws

from tests.backend.auth_fakes import FakeIdp, complete_login

REGION = "us-west-2"


def _create_users_table(client: Any, name: str) -> None:
    string = "S"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": attr, "AttributeType": string} for attr in ("PK", "SK", "GSI1PK", "GSI1SK")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
    )


@pytest.fixture
def dynamodb(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        _create_users_table(client, settings.users_table)
        yield client


def test_login_upserts_profile_and_me_reads_it(make_client, idp: FakeIdp, settings: Settings, dynamodb: Any) -> None:  # type: ignore[no-untyped-def]
    client = make_client(store_factory=Store.from_settings)
    idp.id_overrides = {"email": "Learner@Example.TEST"}
    first = complete_login(client, idp)
    assert first.status_code == 302
    item = dynamodb.get_item(TableName=settings.users_table, Key={"PK": {"S": "USER#user-1"}, "SK": {"S": "PROFILE"}})
    assert item["Item"]["GSI1PK"]["S"] == "EMAIL#learner@example.test"
    created = item["Item"]["createdAt"]["S"]

    assert complete_login(client, idp).status_code == 302  # a second login keeps createdAt
    access = idp.access_token()
    me = client.get("/auth/me", headers={"cookie": f"hhl_access_token={access}"})
    assert me.status_code == 200
    body = me.json()
    assert body["userId"] == "user-1" and body["createdAt"] == created
    assert body["displayName"] == "Ada Learner" and body["givenName"] == "Ada"
    assert client.get("/auth/me", headers={"cookie": f"hhl_access_token={access}"}).json() == body


def test_unknown_sub_is_404_on_dynamodb(make_client, idp: FakeIdp, dynamodb: Any) -> None:  # type: ignore[no-untyped-def]
    client = make_client(store_factory=Store.from_settings)
    me = client.get("/auth/me", headers={"authorization": f"Bearer {idp.access_token(sub='no-profile')}"})
    assert me.status_code == 404
    assert me.json() == {"error": "User not found"}
