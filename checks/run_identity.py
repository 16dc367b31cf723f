"""Run identity read from the target (SPEC §11.1 `run{backend_version, template_sha256}`, FINAL-REPORT "Versions"):
which function version serves traffic, the hash of its code, and the hash of the template the stack was deployed
from. Read-only, through the guarded session of `checks.aws.session`, the same way locally (moto) and on AWS.

    lambda_version   the version behind the env's alias (`live`), or `$LATEST` when the env declares no alias
    code_sha256      that version's CodeSha256 (base64, as AWS reports it)
    backend_version  the version named by that version's Description, else by the stack's CodeS3Key parameter
                     (`hhl_backend-<version>.zip`), else ""
    template_sha256  sha256 (hex) of `GetTemplate(TemplateStage=Original)`'s TemplateBody, byte for byte as returned

Whatever cannot be read stays "" and `notes` says why; nothing here ever presents a file of this repository as
the target's. `read_run_identity` never raises and returns within its time bound (the session end must not hang
on an unreachable endpoint).

>>> identity = read_run_identity(env, timeout_s=5)   # doctest: +SKIP
>>> identity.lambda_version, identity.notes
('3', [])
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.aws.session import ReadOnlyAws, describe_error
from environments import Environment

__all__ = ["RunIdentity", "collect_identity", "local_code_note", "read_run_identity"]

DEFAULT_TIMEOUT_S = 5.0
LATEST = "$LATEST"
_VERSION = re.compile(r"(?<![\w.])v?(\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.-]+)?)\b")
_PACKAGE_KEY = re.compile(r"hhl_backend-(\d+\.\d+\.\d+[0-9A-Za-z.+-]*?)\.zip$")
# Set explicitly, these say the process has AWS credentials to use; without any, the harness does not go looking
# (the default chain would probe the instance-metadata address from a developer's machine).
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@dataclass
class RunIdentity:
    backend_version: str = ""
    template_sha256: str = ""
    lambda_version: str = ""
    lambda_alias: str = ""  # the alias the version was read through; "" when $LATEST was read
    code_sha256: str = ""
    function_description: str = ""
    notes: list[str] = field(default_factory=list)


def _sha256_text(body: Any) -> str:
    return hashlib.sha256(body.encode("utf-8") if isinstance(body, str) else bytes(body)).hexdigest()


def _read_function(aws: ReadOnlyAws, env: Environment, identity: RunIdentity) -> None:
    client = aws.client("lambda")
    name = env.function_name
    qualifier = LATEST
    if env.alias:
        try:
            alias = client.get_alias(FunctionName=name, Name=env.alias)
        except Exception as exc:  # any failure is one note, never a crash at session end
            identity.notes.append(f"alias {env.alias} of {name} not read ({describe_error(exc, aws.where)})")
            return
        qualifier = str(alias.get("FunctionVersion") or "")
        identity.lambda_alias = env.alias
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        if weights:
            shares = ", ".join(f"version {v}: {w:.0%}" for v, w in sorted(weights.items()))
            identity.notes.append(f"alias {env.alias} also routes traffic to {shares}")
    else:
        identity.notes.append(f"the env declares no alias: {name} {LATEST} was read, not a published version")
    try:
        config = client.get_function_configuration(FunctionName=name, Qualifier=qualifier)
    except Exception as exc:
        identity.notes.append(f"function {name}:{qualifier} not read ({describe_error(exc, aws.where)})")
        return
    identity.lambda_version = str(config.get("Version") or qualifier)
    identity.code_sha256 = str(config.get("CodeSha256") or "")
    identity.function_description = str(config.get("Description") or "")
    match = _VERSION.search(identity.function_description)
    if match:
        identity.backend_version = match.group(1)


def _read_stack(aws: ReadOnlyAws, env: Environment, identity: RunIdentity) -> None:
    client = aws.client("cloudformation")
    # botocore turns a JSON TemplateBody into a dict; the hash must be of the body as the service returned it.
    from botocore.handlers import json_decode_template_body

    client.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
    try:
        body = client.get_template(StackName=env.stack_name, TemplateStage="Original").get("TemplateBody")
    except Exception as exc:
        identity.notes.append(f"template of stack {env.stack_name} not read ({describe_error(exc, aws.where)})")
    else:
        if isinstance(body, str | bytes):
            identity.template_sha256 = _sha256_text(body)
        else:
            identity.notes.append(f"stack {env.stack_name} returned no template body")
    if identity.backend_version:
        return
    try:
        stacks = client.describe_stacks(StackName=env.stack_name).get("Stacks") or [{}]
    except Exception as exc:
        identity.notes.append(f"stack {env.stack_name} parameters not read ({describe_error(exc, aws.where)})")
        return
    parameters = {p.get("ParameterKey"): str(p.get("ParameterValue") or "") for p in stacks[0].get("Parameters", [])}
    match = _PACKAGE_KEY.search(parameters.get("CodeS3Key", ""))
    if match:
        identity.backend_version = match.group(1)
        identity.notes.append(
            "backend version taken from the stack's CodeS3Key (the function's Description names none)"
        )
    else:
        identity.notes.append("no backend version: neither the function's Description nor the CodeS3Key names one")


def _source_files(root: Path) -> dict[str, str]:
    return {
        "hhl_backend/" + p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    }


def _zip_files(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            info.filename: hashlib.sha256(archive.read(info)).hexdigest()
            for info in archive.infolist()
            if info.filename.startswith("hhl_backend/") and not info.is_dir()
        }


def local_code_note(code_sha256: str, dist_dir: Path, source_dir: Path) -> str:
    """Locally moto records the hash of the package zip it was given, while the sandbox serves `hhl_backend` from
    the source tree. Say whether the two are the same code, so the hash is never taken for more than it is."""
    package = next(
        (
            zip_path
            for zip_path in sorted(dist_dir.glob("hhl_backend-*.zip"))
            if base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode() == code_sha256
        ),
        None,
    )
    if package is None:
        return f"local: CodeSha256 matches no package in {dist_dir.name}/; what the sandbox serves is unverified"
    packaged, served = _zip_files(package.read_bytes()), _source_files(source_dir)
    differing = sorted(name for name in packaged.keys() | served.keys() if packaged.get(name) != served.get(name))
    if not differing:
        return f"local: CodeSha256 is {package.name}, identical to the hhl_backend source the sandbox serves"
    shown = ", ".join(name.removeprefix("hhl_backend/") for name in differing[:3])
    more = f" and {len(differing) - 3} more" if len(differing) > 3 else ""
    return (
        f"local: CodeSha256 is {package.name}, but the sandbox serves the hhl_backend source, which differs from "
        f"that package in {len(differing)} file(s) ({shown}{more}): the hash does not identify the code that ran "
        "(run `make package` before the sandbox starts)"
    )


def _local_note(identity: RunIdentity) -> None:
    try:
        import hhl_backend

        source_dir = Path(hhl_backend.__file__).resolve().parent
        dist_dir = source_dir.parents[1] / "dist"
        identity.notes.append(local_code_note(identity.code_sha256, dist_dir, source_dir))
    except Exception as exc:
        identity.notes.append(f"local: the served code was not compared with the package ({type(exc).__name__})")


def _credentials_configured() -> bool:
    if any(os.environ.get(name) for name in _CREDENTIAL_VARIABLES):
        return True
    if os.environ.get("AWS_EC2_METADATA_DISABLED", "").lower() == "false":  # an explicit opt-in to instance roles
        return True
    files = (
        os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"),
    )
    return any(Path(f).expanduser().is_file() for f in files)


def collect_identity(aws: ReadOnlyAws, env: Environment) -> RunIdentity:
    """Read everything, synchronously; each failure becomes a note."""
    identity = RunIdentity()
    _read_function(aws, env, identity)
    _read_stack(aws, env, identity)
    if env.kind == "local" and identity.code_sha256:
        _local_note(identity)
    return identity


def read_run_identity(
    env: Environment, *, aws: ReadOnlyAws | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> RunIdentity:
    """The run identity of `env`'s target within `timeout_s` seconds; on any failure, empty values and a note."""
    if env.kind == "local" and not env.aws_endpoint_url:
        return RunIdentity(notes=["run identity not read: the local env has no sandbox AWS endpoint"])
    if aws is None and not env.aws_endpoint_url and not _credentials_configured():
        return RunIdentity(notes=["run identity not read: no AWS credentials configured (AWS_PROFILE or keys)"])
    result: list[RunIdentity] = []

    def work() -> None:
        try:
            from checks.aws.fixtures import make_aws

            result.append(collect_identity(aws or make_aws(env), env))
        except Exception as exc:
            result.append(RunIdentity(notes=[f"run identity not read ({describe_error(exc, 'AWS')})"]))

    # A daemon thread: if AWS does not answer in time, the session ends anyway and the thread dies with it.
    worker = threading.Thread(target=work, name="hhl-run-identity", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not result:
        return RunIdentity(
            notes=[f"run identity not read: {env.function_name}/{env.stack_name} gave no answer within {timeout_s:g} s"]
        )
    return result[0]
