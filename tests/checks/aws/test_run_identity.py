"""Run identity from the target (issue 9 item 5): the version behind `live` (or $LATEST, said so), its CodeSha256 and
Description, the deployed stack's template hash; read-only, bounded in time, and never our own file's hash."""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from checks.aws.session import ReadOnlyAws
from checks.run_identity import collect_identity, local_code_note, read_run_identity
from sandbox.aws.lambda_ import placeholder_zip
from sandbox.aws.moto_server import MotoHandle
from tests.checks.aws.stack import REGION, TEMPLATE, deploy, env_for

OUR_TEMPLATE_SHA = hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()


def _lambda(moto: MotoHandle):  # a writable client: only the test moves the target
    return boto3.client(
        "lambda", region_name=REGION, endpoint_url=moto.url, aws_access_key_id="t", aws_secret_access_key="t"
    )


def _cfn(moto: MotoHandle):
    return boto3.client(
        "cloudformation", region_name=REGION, endpoint_url=moto.url, aws_access_key_id="t", aws_secret_access_key="t"
    )


def test_identity_is_read_from_the_deployed_target(moto: MotoHandle) -> None:
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url)
    identity = read_run_identity(env, timeout_s=10)
    live = _lambda(moto).get_alias(FunctionName=env.function_name, Name="live")["FunctionVersion"]
    assert (identity.lambda_alias, identity.lambda_version) == ("live", live)
    assert identity.code_sha256 == base64.b64encode(hashlib.sha256(placeholder_zip()).digest()).decode()
    assert identity.function_description == "Hedgehog Learn SSO + progress store API"
    body = _cfn(moto).get_template(StackName=env.stack_name, TemplateStage="Original")["TemplateBody"]
    assert identity.template_sha256 == hashlib.sha256(body.encode()).hexdigest()
    # The sandbox deploys a record-only variant: the target's hash is not our repository's template hash.
    assert identity.template_sha256 != OUR_TEMPLATE_SHA
    # CodeS3Key is hhl_backend-test.zip and the Description names no version: no backend version, said so.
    assert identity.backend_version == ""
    assert any("no backend version" in note for note in identity.notes)


def test_the_version_follows_the_alias_and_the_description_names_the_backend(moto: MotoHandle) -> None:
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url)
    lam = _lambda(moto)
    lam.update_function_configuration(FunctionName=env.function_name, Description="Hedgehog Learn API v2.3.4")
    newer = lam.publish_version(FunctionName=env.function_name)
    lam.update_alias(FunctionName=env.function_name, Name="live", FunctionVersion=newer["Version"])
    identity = read_run_identity(env, timeout_s=10)
    assert identity.lambda_version == newer["Version"] and identity.lambda_version != "$LATEST"
    assert identity.backend_version == "2.3.4"
    assert identity.code_sha256 == newer["CodeSha256"]


def test_without_an_alias_latest_is_read_and_said(moto: MotoHandle) -> None:
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url, alias=None)
    identity = read_run_identity(env, timeout_s=10)
    assert identity.lambda_version == "$LATEST" and identity.lambda_alias == ""
    assert any("no alias" in note and "$LATEST" in note for note in identity.notes)


def test_a_missing_alias_or_stack_leaves_values_empty_with_notes(moto: MotoHandle) -> None:
    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url, alias="canary", stack_name="no-such-stack")
    identity = collect_identity(ReadOnlyAws(region=REGION, endpoint_url=moto.url), env)
    assert (identity.lambda_version, identity.code_sha256, identity.template_sha256) == ("", "", "")
    assert any("alias canary" in note for note in identity.notes)
    assert any("no-such-stack" in note for note in identity.notes)
    assert not any("refused" in note for note in identity.notes)  # every call made was a read


def test_an_unreachable_endpoint_is_a_note_not_a_crash() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = SimpleNamespace(
        kind="local", aws_endpoint_url=f"http://127.0.0.1:{port}", function_name="f", alias="live", stack_name="s",
        region=REGION,
    )  # fmt: skip
    identity = read_run_identity(env, timeout_s=10)
    assert (identity.lambda_version, identity.template_sha256, identity.backend_version) == ("", "", "")
    assert identity.notes and all("unreachable" in note for note in identity.notes)


def test_a_silent_endpoint_is_cut_off_at_the_time_bound() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        env = SimpleNamespace(
            kind="local", aws_endpoint_url=f"http://127.0.0.1:{silent.getsockname()[1]}", function_name="f",
            alias="live", stack_name="s", region=REGION,
        )  # fmt: skip
        started = time.monotonic()
        identity = read_run_identity(env, timeout_s=1.0)
        assert time.monotonic() - started < 3
    assert identity.template_sha256 == "" and "within 1 s" in identity.notes[0]


def test_no_credentials_on_aws_means_no_lookup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    env = SimpleNamespace(kind="aws", aws_endpoint_url=None, function_name="f", alias="live", stack_name="s")
    identity = read_run_identity(env, timeout_s=1.0)
    assert identity.template_sha256 == "" and "no AWS credentials" in identity.notes[0]
    local = SimpleNamespace(kind="local", aws_endpoint_url=None, function_name="f", alias="live", stack_name="s")
    assert "no sandbox AWS endpoint" in read_run_identity(local).notes[0]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_local_note_says_whether_the_served_source_is_the_hashed_package(tmp_path: Path) -> None:
    source, dist = tmp_path / "hhl_backend", tmp_path / "dist"
    (source / "__pycache__").mkdir(parents=True)
    dist.mkdir()
    (source / "app.py").write_bytes(b"print('v1')\n")
    (source / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    package = _zip({"hhl_backend/app.py": b"print('v1')\n", "starlette/__init__.py": b""})
    (dist / "hhl_backend-0.1.0.zip").write_bytes(package)
    sha = base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert "identical to the hhl_backend source" in local_code_note(sha, dist, source)
    (source / "app.py").write_bytes(b"print('v2')\n")
    drift = local_code_note(sha, dist, source)
    assert "differs from that package in 1 file(s) (app.py)" in drift and "does not identify" in drift
    assert "matches no package" in local_code_note("bm90IGEgaGFzaA==", dist, source)


def test_run_info_carries_the_targets_identity_not_ours(moto: MotoHandle) -> None:
    from checks.plugin.finish import run_info

    provisioned = deploy(moto)
    env = env_for(provisioned, endpoint=moto.url, site_base_url="http://localhost:8400", sandbox=None)
    state = SimpleNamespace(run_id="local-x", started_at="2026-12-01T00:00:00.000Z", scope="full", interrupted="")
    run = run_info(state, env, time.time()).to_json()
    assert run["template_sha256"] and run["template_sha256"] != OUR_TEMPLATE_SHA
    assert run["lambda_alias"] == "live" and run["lambda_version"] not in ("", "$LATEST")
    assert run["code_sha256"] == base64.b64encode(hashlib.sha256(placeholder_zip()).digest()).decode()
    assert isinstance(run["identity_notes"], list)
