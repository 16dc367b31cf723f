"""moto state snapshots: run-specific values never reach the file, a restore fills in the new run's, and a bad file
only means a fresh moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sandbox.aws.moto_process import MotoProcess, launch_moto_process, start_moto_process
from sandbox.aws.moto_server import MotoHandle
from sandbox.aws.moto_snapshot import SnapshotError, dumps, loads

DUMMY = {"region_name": "us-west-2", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PLACEHOLDER = "@@hhl-snapshot:password_0@@"
TOKEN_PLACEHOLDER = "@@hhl-snapshot:crm_token@@"
USER = "learner@example.com"
LATER = 600.0  # a later-part fallback no test waits for


def test_strings_carry_placeholders_and_get_the_new_values() -> None:
    data = dumps({"url": "http://localhost:40001/learn", "password": "Old-secret-1"}, {"Old-secret-1": PLACEHOLDER})
    assert b"Old-secret-1" not in data
    assert loads(data, {PLACEHOLDER: "New-secret-2"}) == {
        "url": "http://localhost:40001/learn",
        "password": "New-secret-2",
    }


def test_a_secret_outside_a_string_refuses_the_snapshot() -> None:
    # Bytes are not rewritten: a secret held in them must stop the snapshot, not be written.
    with pytest.raises(SnapshotError, match="survived"):
        dumps({"body": b"token=Old-secret-1"}, {"Old-secret-1": PLACEHOLDER})


def test_a_damaged_snapshot_is_a_clear_error() -> None:
    with pytest.raises(SnapshotError, match="unreadable"):
        loads(b"not a pickle", {})


def _auth(handle: MotoHandle, pool: str, client: str, password: str) -> bool:
    idp = boto3.client("cognito-idp", endpoint_url=handle.url, **DUMMY)
    try:
        idp.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USER, "PASSWORD": password},
        )
    except idp.exceptions.NotAuthorizedException:
        return False
    return True


@pytest.fixture
def saved(tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """A moto child with a table and a user whose password is `Hh1-first-run`, saved as a snapshot."""
    handle = start_moto_process(0)
    try:
        boto3.client("dynamodb", endpoint_url=handle.url, **DUMMY).create_table(
            TableName="kept",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        idp = boto3.client("cognito-idp", endpoint_url=handle.url, **DUMMY)
        pool = idp.create_user_pool(PoolName="kept")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ADMIN_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username=USER, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username=USER, Password="Hh1-first-run", Permanent=True)
        # SSM is restored after the port opens (moto_snapshot.LATER_MODULES): its requests wait for it.
        ssm = boto3.client("ssm", endpoint_url=handle.url, **DUMMY)
        ssm.put_parameter(Name="/kept/token", Value="pat-first-run", Type="SecureString")
        assert isinstance(handle._server, MotoProcess)
        path = tmp_path / "moto.pickle"
        replace = {"Hh1-first-run": PLACEHOLDER, "pat-first-run": TOKEN_PLACEHOLDER}
        assert handle._server.save_snapshot(path, replace, {}) > 0
    finally:
        handle.stop()
    yield path, pool, client


def test_restore_brings_the_state_back_with_the_new_runs_password(saved: tuple[Path, str, str]) -> None:
    path, pool, client = saved
    assert b"Hh1-first-run" not in path.read_bytes() and b"pat-first-run" not in path.read_bytes()
    fill = {PLACEHOLDER: "Hh1-second-run", TOKEN_PLACEHOLDER: "pat-second-run"}
    # Nobody sends the finish word and the fallback is far off: the SSM request itself must start the later part.
    handle = launch_moto_process(0, restore=path, fill=fill, finish_anyway_s=LATER).wait_ready()
    try:
        assert handle._server.restored
        ssm = boto3.client("ssm", endpoint_url=handle.url, **DUMMY)
        token = ssm.get_parameter(Name="/kept/token", WithDecryption=True)["Parameter"]["Value"]
        assert token == "pat-second-run"  # asked at once: held until the later part was in
        tables = boto3.client("dynamodb", endpoint_url=handle.url, **DUMMY).list_tables()["TableNames"]
        assert tables == ["kept"]
        assert _auth(handle, pool, client, "Hh1-second-run")
        assert not _auth(handle, pool, client, "Hh1-first-run")
    finally:
        handle.stop()


def test_the_finish_word_installs_the_later_part(saved: tuple[Path, str, str]) -> None:
    # A save waits for the later part (it must hold still while pickled): it answers only if the word started it.
    path, _, _ = saved
    handle = launch_moto_process(0, restore=path, finish_anyway_s=LATER).wait_ready()
    try:
        assert isinstance(handle._server, MotoProcess)
        handle._server.finish_restore()
        assert handle._server.save_snapshot(path.with_name("again.pickle"), {}, {}) > 0
    finally:
        handle.stop()


def test_an_unusable_snapshot_starts_moto_empty(tmp_path: Path) -> None:
    path = tmp_path / "moto.pickle"
    path.write_bytes(b"damaged")
    handle = launch_moto_process(0, restore=path).wait_ready()
    try:
        assert not handle._server.restored
        assert boto3.client("dynamodb", endpoint_url=handle.url, **DUMMY).list_tables()["TableNames"] == []
    finally:
        handle.stop()
