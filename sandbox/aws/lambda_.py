"""Provision the function side: IAM role, the code object in S3, function, published version, `live` alias, permission.

Configuration only: moto needs Docker to invoke, and the sandbox serves traffic with uvicorn anyway (SPEC §6).
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from sandbox.aws.context import Context, Created, ProvisionError
from sandbox.aws.crmsync import FAULT_NO_ALIAS as FAULT_CRM_NO_ALIAS
from sandbox.aws.crmsync import FAULT_TOKEN_IN_ENV

__all__ = ["HANDLERS", "placeholder_zip", "upload_code"]

FAULT_NO_ALIAS = "provision.no_alias"
FAULT_IAM = "provision.iam_scan_delete"
FAULT_SINGLE_VERSION = "provision.single_version"  # only the current version: nothing to roll back to
_FUNCTION_SETTINGS = ("Description", "Runtime", "Handler", "MemorySize", "Timeout", "Environment", "Architectures")


def placeholder_zip() -> bytes:
    """A tiny stand-in package for unit tests that do not build the real one (`make package`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("hhl_backend/lambda_handler.py", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, "def handler(event, context):\n    raise RuntimeError('placeholder package')\n")
    return buffer.getvalue()


def upload_code(ctx: Context, bucket: str, key: str, code_zip: Path | None) -> None:
    """Put the deployment zip where the template's CodeS3Bucket/CodeS3Key say it is."""
    if code_zip is not None and not code_zip.is_file():
        raise ProvisionError(f"Lambda package {code_zip} does not exist: run `make package` first")
    body = code_zip.read_bytes() if code_zip is not None else placeholder_zip()
    s3 = ctx.client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        location = (
            {} if ctx.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": ctx.region}}
        )
        s3.create_bucket(Bucket=bucket, **location)
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def create_role(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    iam = ctx.client("iam")
    name = props["RoleName"]
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]),
            Tags=props.get("Tags", []),
        )["Role"]
    for policy in props.get("Policies", []):  # put_role_policy replaces, so re-runs converge
        document = (
            _with_scan_delete(policy["PolicyDocument"])
            if ctx.has_fault_for(FAULT_IAM, logical_id)
            else policy["PolicyDocument"]
        )
        iam.put_role_policy(RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document))
    return Created(ref=name, attrs={"Arn": role["Arn"], "RoleId": role["RoleId"]})


def _with_scan_delete(document: dict[str, Any]) -> dict[str, Any]:
    """provision.iam_scan_delete: the real deployment's role also grants Scan and DeleteItem (SPEC §6 real)."""
    statements = []
    for statement in document.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        if any(str(a).startswith("dynamodb:") for a in actions):
            actions += [a for a in ("dynamodb:Scan", "dynamodb:DeleteItem") if a not in actions]
        statements.append({**statement, "Action": actions})
    return {**document, "Statement": statements}


def _function_settings(ctx: Context, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
    settings = {key: props[key] for key in _FUNCTION_SETTINGS if key in props}
    if ctx.has_fault_for("provision.default_memory", logical_id):
        # What an undeclared Serverless Framework deployment ends up with (SPEC §2).
        settings["MemorySize"], settings["Timeout"] = 1024, 6
    planted = {}
    if ctx.has_fault_for("provision.env_test_bypass", logical_id):
        planted["ENABLE_TEST_BYPASS"] = "true"
    if ctx.has_fault_for(FAULT_TOKEN_IN_ENV, logical_id) and ctx.crm_token:
        planted["HUBSPOT_TOKEN"] = ctx.crm_token  # the value itself, beside HUBSPOT_TOKEN_PARAMETER
    if planted:
        variables = dict(settings.get("Environment", {}).get("Variables", {}))
        settings["Environment"] = {"Variables": variables | planted}
    if "LoggingConfig" in props:
        settings["LoggingConfig"] = props["LoggingConfig"]
    return settings


def create_function(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    if ctx.code_upload is not None:
        ctx.code_upload.result()  # the code must be in S3 before the function can point at it
    lam = ctx.client("lambda")
    name = props["FunctionName"]
    settings = _function_settings(ctx, logical_id, props)
    try:
        lam.get_function(FunctionName=name)
        settings.pop("Architectures", None)  # a configuration update cannot change the architecture
        function = lam.update_function_configuration(FunctionName=name, Role=props["Role"], **settings)
    except lam.exceptions.ResourceNotFoundException:
        code = {"S3Bucket": props["Code"]["S3Bucket"], "S3Key": props["Code"]["S3Key"]}
        tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
        function = lam.create_function(FunctionName=name, Role=props["Role"], Code=code, Tags=tags, **settings)
    return Created(ref=name, attrs={"Arn": function["FunctionArn"]})


def _no_alias(ctx: Context, logical_id: str) -> bool:
    """provision.no_alias (the API's resources) or provision.crm_no_alias (the consumer's)."""
    return ctx.has_fault_for(FAULT_NO_ALIAS, logical_id) or ctx.has_fault_for(FAULT_CRM_NO_ALIAS, logical_id)


def _unqualified_arn(ctx: Context, function_name: str) -> str:
    return ctx.arn("lambda", f"function:{function_name}")


def publish_version(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    if _no_alias(ctx, logical_id):
        # No versions used: everything that would name the published version names $LATEST (SPEC §2 real).
        return Created(ref=_unqualified_arn(ctx, props["FunctionName"]), attrs={"Version": "$LATEST"})
    lam = ctx.client("lambda")
    name = props["FunctionName"]
    if not ctx.has_fault_for(FAULT_SINGLE_VERSION, logical_id) and not _published_versions(lam, name):
        # A deployed stack has a release before the current one: the version a rollback moves `live` back to.
        # (moto publishes a new version only after a change, so the description is touched in between.)
        description = lam.get_function_configuration(FunctionName=name).get("Description", "")
        lam.publish_version(FunctionName=name, Description="previous release (sandbox)")
        lam.update_function_configuration(FunctionName=name, Description=description)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    version = lam.publish_version(FunctionName=name)
    return Created(ref=version["FunctionArn"], attrs={"Version": version["Version"]})


def _published_versions(lam: Any, name: str) -> list[str]:
    versions = lam.list_versions_by_function(FunctionName=name).get("Versions", [])
    return [v["Version"] for v in versions if v["Version"] != "$LATEST"]


def create_alias(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    if _no_alias(ctx, logical_id):
        # No alias: the integration and the permission that would name it target the bare function (SPEC §2 real).
        arn = _unqualified_arn(ctx, props["FunctionName"])
        return Created(ref=arn, attrs={"AliasArn": arn})
    lam = ctx.client("lambda")
    request = {
        "FunctionName": props["FunctionName"],
        "Name": props["Name"],
        "FunctionVersion": props["FunctionVersion"],
    }
    try:
        alias = lam.get_alias(FunctionName=props["FunctionName"], Name=props["Name"])
        alias = lam.update_alias(**request)
    except lam.exceptions.ResourceNotFoundException:
        alias = lam.create_alias(**request)
    return Created(ref=alias["AliasArn"], attrs={"AliasArn": alias["AliasArn"]})


def add_permission(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    lam = ctx.client("lambda")
    function, _, qualifier = props["FunctionName"].rpartition(":")  # the alias ARN: <function arn>:live
    if _no_alias(ctx, logical_id):
        function, qualifier = props["FunctionName"], ""  # the bare function ARN (provision.no_alias)
    request = {
        "FunctionName": function,
        **({"Qualifier": qualifier} if qualifier else {}),
        "StatementId": logical_id,
        "Action": props["Action"],
        "Principal": props["Principal"],
        "SourceArn": props["SourceArn"],
    }
    # A conflict means the statement id is already there from an earlier run.
    with contextlib.suppress(lam.exceptions.ResourceConflictException):
        lam.add_permission(**request)
    return Created(ref=logical_id)


HANDLERS = {
    "AWS::IAM::Role": create_role,
    "AWS::Lambda::Function": create_function,
    "AWS::Lambda::Version": publish_version,
    "AWS::Lambda::Alias": create_alias,
    "AWS::Lambda::Permission": add_permission,
}
