"""The one write exception of the AWS guard (issue 8): after a run, the test user's own rows are removed, and nothing
else can be: another user's keys, another table, other parameters and every other write are refused."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from hhl_backend.store.keys import TableNames
from hhl_backend.store.schema import create_tables

from checks.aws.cleanup import UserCleanup, remove_user_rows
from checks.aws.session import ReadOnlyAws, ReadOnlyViolation, check_cleanup_delete, cleanup_client

ME, OTHER = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def _key(pk: str, sk: str) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


@pytest.fixture
def stage(moto) -> dict[str, str]:
    """role → table name of a fresh stage, seeded with rows of two users."""
    suffix = uuid.uuid4().hex[:8]
    names = {role: f"hedgehog-learn-{role}-c{suffix}" for role in ("users", "enrollments", "progress", "badges")}
    client = boto3.client(
        "dynamodb", endpoint_url=moto.url, region_name="us-west-2", aws_access_key_id="t", aws_secret_access_key="t"
    )
    create_tables(client, TableNames(**names), stage=f"c{suffix}")
    for sub in (ME, OTHER):
        client.put_item(TableName=names["users"], Item=_key(f"USER#{sub}", "PROFILE"))
        client.put_item(TableName=names["users"], Item=_key(f"USER#{sub}", "ACTIVITY"))
        enrollment = {**_key(f"USER#{sub}", "ENROLLMENT#course-a"), "courseSlug": {"S": "course-a"}}
        client.put_item(TableName=names["enrollments"], Item={**enrollment, "entityType": {"S": "course"}})
        client.put_item(TableName=names["progress"], Item=_key(f"USER#{sub}#COURSE#course-a", "MODULE#m1"))
        client.put_item(TableName=names["progress"], Item=_key(f"USER#{sub}#COURSE#api-test-course", "MODULE#m2"))
        badge = {**_key(f"USER#{sub}", "BADGE#course-a#2026"), "metadata": {"M": {"courseSlug": {"S": "course-a"}}}}
        client.put_item(TableName=names["badges"], Item=badge)
    return names


def _tables(stage: dict[str, str]) -> dict[str, str]:
    return {name: role for role, name in stage.items()}


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"TableName": "hedgehog-learn-users-production", "Key": _key(f"USER#{ME}", "PROFILE")}, "not one of"),
        ({"TableName": "U", "Key": _key(f"USER#{OTHER}", "PROFILE")}, "not one of the test user's rows"),
        ({"TableName": "U", "Key": _key(f"USER#{ME}X", "PROFILE")}, "not one of the test user's rows"),
        ({"TableName": "P", "Key": _key(f"USER#{OTHER}#COURSE#c", "MODULE#m")}, "not one of the test user's rows"),
        ({"TableName": "P", "Key": _key(f"USER#{ME}", "MODULE#m")}, "not one of the test user's rows"),
        ({"TableName": "P", "Key": _key(f"USER#{ME}#COURSE#", "MODULE#m")}, "not one of the test user's rows"),
        ({"TableName": "U", "Key": {"PK": {"S": f"USER#{ME}"}}}, "not one of the test user's rows"),
        ({"TableName": "U", "Key": _key(f"USER#{ME}", "PROFILE"), "ConditionExpression": "x"}, "only TableName"),
    ],
)
def test_scoped_delete_refuses_any_other_key_or_table(params: dict, reason: str) -> None:
    with pytest.raises(ReadOnlyViolation, match=reason):
        check_cleanup_delete(params, {"U": "users", "P": "progress"}, ME)


def test_scoped_delete_allows_the_users_own_rows() -> None:
    tables = {"U": "users", "P": "progress"}
    check_cleanup_delete({"TableName": "U", "Key": _key(f"USER#{ME}", "PROFILE")}, tables, ME)
    check_cleanup_delete({"TableName": "P", "Key": _key(f"USER#{ME}#COURSE#c", "MODULE#m")}, tables, ME)
    with pytest.raises(ReadOnlyViolation, match="not a user id"):
        check_cleanup_delete({"TableName": "U", "Key": _key("USER#", "PROFILE")}, tables, "")


def test_cleanup_client_refuses_other_writes_and_other_users(moto, stage: dict[str, str]) -> None:
    client = cleanup_client(ReadOnlyAws(region="us-west-2", endpoint_url=moto.url), _tables(stage), ME)
    with pytest.raises(ReadOnlyViolation, match="refused dynamodb:PutItem"):
        client.put_item(TableName=stage["users"], Item=_key(f"USER#{ME}", "X"))
    with pytest.raises(ReadOnlyViolation, match="not one of the test user's rows"):
        client.delete_item(TableName=stage["users"], Key=_key(f"USER#{OTHER}", "PROFILE"))
    # The checks' own clients stay read-only: the exception lives on this one client only.
    with pytest.raises(ReadOnlyViolation, match="refused dynamodb:DeleteItem"):
        ReadOnlyAws(region="us-west-2", endpoint_url=moto.url).client("dynamodb").delete_item(
            TableName=stage["users"], Key=_key(f"USER#{ME}", "PROFILE")
        )


def test_remove_user_rows_deletes_exactly_the_users_own_rows(moto, stage: dict[str, str]) -> None:
    aws = ReadOnlyAws(region="us-west-2", endpoint_url=moto.url)
    client = cleanup_client(aws, _tables(stage), ME)
    record = remove_user_rows(client, stage, ME, courses=("api-test-course",))
    assert record["errors"] == []
    assert sorted((d["PK"], d["SK"]) for d in record["deleted"]) == sorted(
        [
            (f"USER#{ME}", "PROFILE"),
            (f"USER#{ME}", "ACTIVITY"),
            (f"USER#{ME}", "ENROLLMENT#course-a"),
            (f"USER#{ME}", "BADGE#course-a#2026"),
            (f"USER#{ME}#COURSE#course-a", "MODULE#m1"),
            (f"USER#{ME}#COURSE#api-test-course", "MODULE#m2"),
        ]
    )
    reader = aws.client("dynamodb")
    for role, name in stage.items():
        pk = f"USER#{OTHER}#COURSE#course-a" if role == "progress" else f"USER#{OTHER}"
        mine = f"USER#{ME}#COURSE#course-a" if role == "progress" else f"USER#{ME}"
        count = {
            p: reader.query(
                TableName=name, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": p}}
            )["Count"]
            for p in (pk, mine)
        }
        assert count[mine] == 0 and count[pk] >= 1, (role, count)


def test_user_cleanup_records_each_user_under_evidence(
    moto, stage: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    env = SimpleNamespace(
        api_base_url="http://api.invalid", tables=SimpleNamespace(**stage), content=SimpleNamespace(course="course-a")
    )
    cleanup = UserCleanup(env, tmp_path, enabled=True, process="gw0")
    cleanup.track(SimpleNamespace(username="u@example.com"))
    cleanup.signed_in("u@example.com", {"hhl_access_token": "tok-value-1"})
    monkeypatch.setattr(UserCleanup, "_user_id", lambda self, cookies: ME)
    records = cleanup.finish(ReadOnlyAws(region="us-west-2", endpoint_url=moto.url))
    assert len(records) == 1 and len(records[0]["deleted"]) == 6
    assert (tmp_path / "evidence" / "_cleanup" / "gw0-user-1.json").is_file()
    assert UserCleanup(env, tmp_path, enabled=False).finish(None) == []
