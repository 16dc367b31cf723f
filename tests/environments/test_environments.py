"""The environment loader: the three shipped files, one clear message per bad file, sandbox fill, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from environments import EnvironmentFileError, load_environment

DEV = Path(__file__).resolve().parents[2] / "environments" / "dev.yaml"


def _write(tmp_path: Path, document: object, name: str = "env.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document) if not isinstance(document, str) else document)
    return path


def test_shipped_files_hold_the_spec_facts() -> None:
    dev, prod, local = (load_environment(n, environ={}) for n in ("dev", "prod", "local"))
    assert (dev.api_id, dev.alias, dev.dashboard, dev.profile) == ("hvoog2lnha", None, None, "real-2026-01")
    assert (dev.expected.runtime, dev.expected.memory_mb, dev.expected.timeout_s) == ("nodejs20.x", 1024, 6)
    assert dev.tables.users == "hedgehog-learn-users-dev" and dev.cognito.user_pool_id == "us-west-2_XWB9UclRK"
    assert (prod.api_base_url, prod.api_id, prod.stack_name) == (
        "https://api.hedgehog.cloud",
        None,
        "hedgehog-learn-production",
    )
    assert prod.allow_writes is False and prod.tables.badges == "hedgehog-learn-badges-production"
    assert (local.kind, local.alias, local.expected.handler) == ("local", "live", "hhl_backend.lambda_handler.handler")
    assert local.api_base_url is None  # filled from the sandbox state at run time


def test_malformed_field_is_one_message_naming_file_and_field(tmp_path: Path) -> None:
    document = yaml.safe_load(DEV.read_text())
    document["expected"]["memory_mb"] = "lots"
    path = _write(tmp_path, document)
    with pytest.raises(EnvironmentFileError) as caught:
        load_environment(str(path), environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid environment file: expected.memory_mb:")
    assert "valid integer" in message and "'lots'" in message


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"api_bse_url": "x"}, "api_bse_url: Extra inputs are not permitted"),
        ({"cognito": {"client_id": "x"}}, "(top level): Value error, kind aws needs explicit values for cognito."),
        ({"kind": "gcp"}, "kind: Input should be 'aws' or 'local'"),
        ({"credentials": {"test_password": "x"}}, "credentials: not an env-file key"),
        ({"waivers": [{"check": "x", "reason": "r", "owner": "o", "expires": "soon"}]}, "waivers.0.expires:"),
    ],
)
def test_bad_keys_are_rejected_with_the_field_path(tmp_path: Path, change: dict, fragment: str) -> None:
    document = {**yaml.safe_load(DEV.read_text()), **change}
    with pytest.raises(EnvironmentFileError, match=None) as caught:
        load_environment(str(_write(tmp_path, document)), environ={})
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("a: [unclosed", "not valid YAML at line"), ("- a list", "expected a mapping of env keys")],
)
def test_unparseable_files(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(EnvironmentFileError, match=r"env\.yaml: ") as caught:
        load_environment(str(_write(tmp_path, text)), environ={})
    assert fragment in str(caught.value)


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(EnvironmentFileError, match="expected one of local, dev, prod or the path"):
        load_environment("staging")


def test_local_is_filled_from_the_sandbox_state(tmp_path: Path) -> None:
    state = {
        "site_url": "http://localhost:8400",
        "api_url": "http://localhost:8401/",
        "idp_url": "http://127.0.0.1:8402",
        "aws_endpoint_url": "http://127.0.0.1:5000",
        "region": "us-east-1",
        "user_pool_id": "us-east-1_abc",
        "client_id": "cid",
        "other_client_id": "other",
        "stack_name": "hedgehog-learn-local",
        "users": [{"username": "u@example.com", "password": "Pw-123456"}],
        "faults": ["backend.open_redirect"],
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    env = load_environment("local", sandbox_state=path, environ={})
    assert (env.api_base_url, env.site_base_url, env.aws_endpoint_url) == (
        "http://localhost:8401",
        "http://localhost:8400",
        "http://127.0.0.1:5000",
    )
    assert env.cognito.issuer == "http://127.0.0.1:8402/us-east-1_abc"
    assert env.cognito.callback_url == "http://localhost:8401/auth/callback"
    assert env.cognito.logout_url == "http://localhost:8400/learn"
    assert env.cors_origins == ["http://localhost:8400"] and env.region == "us-east-1"
    assert env.sandbox is not None and env.sandbox.faults == ["backend.open_redirect"]
    assert "Pw-123456" not in repr(env) and "Pw-123456" not in json.dumps(env.public_dict())


def test_incomplete_state_file_names_the_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"site_url": "http://localhost:1"}))
    with pytest.raises(EnvironmentFileError, match="sandbox state file lacks api_url, idp_url"):
        load_environment("local", sandbox_state=path, environ={})


def test_secrets_come_from_the_process_environment_only() -> None:
    env = load_environment("dev", environ={"HHL_TEST_USERNAME": "u@example.com", "HHL_TEST_PASSWORD": "Pw-abcdef"})
    assert env.credentials.test_password is not None
    assert env.credentials.test_password.get_secret_value() == "Pw-abcdef"
    public = env.public_dict()
    assert "credentials" not in public and "Pw-abcdef" not in json.dumps(public)
    assert {"kind", "profile", "required_areas", "waivers"} <= set(public)


def test_local_crm_is_filled_from_the_sandbox_state(tmp_path: Path) -> None:
    required = ("site_url", "api_url", "idp_url", "aws_endpoint_url", "user_pool_id", "client_id")
    state = {key: f"http://127.0.0.1:{8400 + i}" for i, key in enumerate(required)}
    state |= {"crm_url": "http://127.0.0.1:8403/", "crm_token": "standin-token-123"}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    env = load_environment("local", sandbox_state=path, environ={"HHL_HUBSPOT_TOKEN": "from-the-shell"})
    assert env.crm.base_url == "http://127.0.0.1:8403"
    assert env.credentials.hubspot_token is not None
    assert env.credentials.hubspot_token.get_secret_value() == "standin-token-123"  # the sandbox's, not the shell's
    assert "standin-token-123" not in repr(env) and "standin-token-123" not in json.dumps(env.public_dict())
    assert (env.crm.function_name, env.crm.dlq_name, env.crm.token_parameter) == (None, None, None)


def test_aws_crm_token_comes_from_hhl_hubspot_token() -> None:
    env = load_environment("dev", environ={"HHL_HUBSPOT_TOKEN": "pat-na1-secret"})
    assert env.crm.enabled and env.crm.base_url == "https://api.hubapi.com"
    assert env.credentials.hubspot_token is not None
    assert env.credentials.hubspot_token.get_secret_value() == "pat-na1-secret"
    assert load_environment("dev", environ={}).credentials.hubspot_token is None
