"""A second sandbox start with the same inputs restores moto's state from the first one's snapshot, with its own
secrets: the first run's passwords and CRM token are not in the snapshot, and its password does not work in the
second."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from environments.models import SandboxState
from tests.sandbox import sandbox_process


def _signs_in(state: SandboxState, password: str) -> bool:
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=state.aws_endpoint_url,
        region_name=state.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    try:
        idp.admin_initiate_auth(
            UserPoolId=state.user_pool_id,
            ClientId=state.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": state.users[0].username, "PASSWORD": password},
        )
    except idp.exceptions.NotAuthorizedException:
        return False
    return True


def test_second_start_is_restored_with_its_own_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HHL_SANDBOX_CACHE_DIR", str(tmp_path / "cache"))
    first = sandbox_process.start(tmp_path / "first.json")
    try:
        first_state = first.state()
    finally:
        first.stop()
    first_out, _ = first.process.communicate(timeout=10)
    assert "(provisioned)" in first_out

    snapshot_bytes = b"".join(path.read_bytes() for path in (tmp_path / "cache").rglob("*.pickle"))
    assert snapshot_bytes, "the first start left no snapshot"
    for user in first_state.users:
        assert user.password.get_secret_value().encode() not in snapshot_bytes
    assert first_state.crm_token is not None
    assert first_state.crm_token.get_secret_value().encode() not in snapshot_bytes

    second = sandbox_process.start(tmp_path / "second.json")
    try:
        state = second.state()
        old_password = first_state.users[0].password.get_secret_value()
        new_password = state.users[0].password.get_secret_value()
        assert new_password != old_password and state.crm_token != first_state.crm_token
        assert _signs_in(state, new_password)
        assert not _signs_in(state, old_password)
        assert state.aws_endpoint_url != first_state.aws_endpoint_url  # its own ports, not the first run's
    finally:
        second.stop()
    second_out, _ = second.process.communicate(timeout=10)
    assert "(restored from a snapshot)" in second_out
