"""SandboxState (environments/models.py): the sandbox state file's schema. Secrets stay masked in every repr and
dump but the file's own; a bad or missing field is one EnvironmentFileError naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from environments import EnvironmentFileError, load_environment
from environments.models import SandboxState, SandboxUser

PASSWORD = "Pw-state-0123456789"
TOKEN = "standin-token-0123456789abcdef"
REQUIRED = {
    "site_url": "http://localhost:8400",
    "api_url": "http://localhost:8401",
    "idp_url": "http://127.0.0.1:8402",
    "aws_endpoint_url": "http://127.0.0.1:5000",
    "user_pool_id": "us-west-2_abc",
    "client_id": "cid",
}


def _state() -> SandboxState:
    return SandboxState.model_validate(
        {**REQUIRED, "users": [{"username": "u@example.com", "password": PASSWORD}], "crm_token": TOKEN}
    )


def _load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(text, encoding="utf-8")
    load_environment("local", sandbox_state=path, environ={})


def test_secrets_are_masked_everywhere_but_in_the_file_text() -> None:
    state = _state()
    for shown in (repr(state), str(state), state.model_dump_json(), json.dumps(state.model_dump(mode="json"))):
        assert PASSWORD not in shown and TOKEN not in shown
    on_disk = json.loads(state.file_text())
    assert on_disk["users"] == [{"username": "u@example.com", "password": PASSWORD}] and on_disk["crm_token"] == TOKEN


def test_the_file_text_reads_back_equal() -> None:
    state = _state()
    again = SandboxState.model_validate_json(state.file_text())
    assert again == state and again.users == [SandboxUser(username="u@example.com", password=PASSWORD)]
    assert again.crm_token is not None and again.crm_token.get_secret_value() == TOKEN


def test_required_names_an_absent_optional_field() -> None:
    assert SandboxState.model_validate({**REQUIRED, "region": "us-west-2"}).required("region") == "us-west-2"
    with pytest.raises(ValueError, match="the sandbox state lacks function_name"):
        _state().required("function_name")


def test_empty_required_fields_are_lacking_too(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentFileError, match=r"state\.json: sandbox state file lacks idp_url, client_id$"):
        _load(tmp_path, json.dumps({**REQUIRED, "idp_url": "", "client_id": ""}))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"users": [{"username": "u@example.com"}]}, "users.0.password: Field required"),
        ({"tables": {"users": "t"}}, "tables.enrollments: Field required"),
        ({"pid": "not-a-pid"}, "pid: Input should be a valid integer"),
        ({"site_ulr": "http://localhost:1"}, "site_ulr: Extra inputs are not permitted"),
    ],
)
def test_a_bad_field_is_named_without_its_value(tmp_path: Path, change: dict, named: str) -> None:
    with pytest.raises(EnvironmentFileError, match="invalid sandbox state file") as raised:
        _load(tmp_path, json.dumps({**REQUIRED, **change}))
    assert str(tmp_path / "state.json") in str(raised.value) and named in str(raised.value)
    assert "not-a-pid" not in str(raised.value)


def test_a_password_of_the_wrong_type_is_named_not_shown(tmp_path: Path) -> None:
    users = [{"username": "u@example.com", "password": 1234567890}]
    with pytest.raises(EnvironmentFileError, match=r"users\.0\.password: Input should be a valid string") as raised:
        _load(tmp_path, json.dumps({**REQUIRED, "users": users}))
    assert "1234567890" not in str(raised.value)


@pytest.mark.parametrize(("text", "message"), [("{not json", "not JSON"), ("[]", "(top level)")])
def test_a_file_that_is_no_state_is_one_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(EnvironmentFileError, match="sandbox state file") as raised:
        _load(tmp_path, text)
    assert message in str(raised.value)


def test_a_missing_file_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentFileError, match="unreadable sandbox state file"):
        load_environment("local", sandbox_state=tmp_path / "absent.json", environ={})
