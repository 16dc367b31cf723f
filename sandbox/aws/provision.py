"""Provision every resource of backend/template.yaml into a local AWS endpoint (moto), the way CloudFormation would.

The template is walked in dependency order; each resource type is created by its service module through the plain
APIs (moto's own CloudFormation skips alarms, Cognito and API Gateway v2 and drops PITR and SSE, SPEC §6). Sandbox
extras follow: the second app client, the test users and a record-only CloudFormation stack. Re-running against the
same endpoint converges instead of failing. `provision.*` and `client.*` faults are planted here (SPEC §10).

    >>> handle = start_moto()
    >>> result = provision(Path("backend/template.yaml"), endpoint_url=handle.url, region="us-west-2",
    ...                    stage="local", parameters={...}, users=[TestUser("learner@example.com", "...")])
    >>> result.tables["progress"]
    'hedgehog-learn-progress-local'
"""

from __future__ import annotations

import graphlib
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sandbox import timings
from sandbox.aws import apigw, cognito, crmsync, dynamodb, lambda_, monitoring
from sandbox.aws.cognito import TestUser
from sandbox.aws.context import Context, Created, Handler, ProvisionError, client_for
from sandbox.aws.stack import register_stack
from sandbox.aws.template import NO_VALUE, Resolver, TemplateError, bind_parameters, dependency_graph, load_template

__all__ = ["HANDLED_FAULTS", "ProvisionError", "Provisioned", "TestUser", "provision"]

log = logging.getLogger(__name__)

HANDLERS: dict[str, Handler] = {
    **dynamodb.HANDLERS,
    **cognito.HANDLERS,
    **lambda_.HANDLERS,
    **apigw.HANDLERS,
    **monitoring.HANDLERS,
    **crmsync.HANDLERS,
}
HANDLED_FAULTS = frozenset(
    {
        "provision.no_pitr",
        "provision.no_sse",
        "provision.no_stream",
        "provision.no_alarm_actions",
        "provision.alarm_firing",
        "provision.retention_14",
        "provision.default_memory",
        "provision.env_test_bypass",
        "provision.no_dashboard",
        "provision.no_alias",
        "provision.iam_scan_delete",
        "provision.single_version",
        "client.drop_callback_url",
        crmsync.FAULT_MAPPING_DISABLED,
        crmsync.FAULT_NO_DLQ,
        crmsync.FAULT_TOKEN_IN_ENV,
        crmsync.FAULT_NO_ALIAS,
        crmsync.FAULT_DLQ_ALARM_METRIC,
    }
)
WALK_WORKERS = 4  # resources created at once (moto answers each on its own thread)
_TABLE_KEYS = {
    "UsersTable": "users",
    "EnrollmentsTable": "enrollments",
    "ProgressTable": "progress",
    "BadgesTable": "badges",
}


@dataclass(frozen=True)
class Provisioned:
    """Physical names and ids of what was provisioned (SPEC §2 naming)."""

    stack_name: str
    stack_id: str
    region: str
    account_id: str
    tables: dict[str, str]  # users | enrollments | progress | badges -> table name
    table_arns: dict[str, str]
    stream_arns: dict[str, str]  # same keys; a table without a stream (fault) is absent
    function_name: str
    function_arn: str
    alias_arn: str
    function_version: str
    log_group: str
    user_pool_id: str
    client_id: str
    other_client_id: str
    cognito_domain_prefix: str
    api_id: str
    api_endpoint: str
    topic_arn: str
    alarm_names: tuple[str, ...]  # every metric alarm (the API's four, the consumer's three), then the composite
    dashboard_name: str
    role_arn: str
    crm_function_name: str
    crm_alias_arn: str
    crm_dlq_url: str  # where the DLQ is (or would be: provision.crm_no_dlq creates none)
    crm_mappings: dict[str, str]  # table key -> event source mapping UUID; a table without a stream is absent
    crm_token_parameter: str  # the SSM SecureString the consumer reads its HubSpot token from
    physical_ids: dict[str, str] = field(default_factory=dict)  # logical id -> Ref value, for every resource
    # logical id -> the resolved properties that were requested (before faults). It holds the cookie secret, so it is
    # kept out of repr and comparisons; compare names, never print it.
    declared: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    gaps: tuple[str, ...] = ()  # template features moto cannot hold (asserted by the parity test)
    faults: frozenset[str] = frozenset()


def provision(
    template_path: Path,
    *,
    endpoint_url: str,
    region: str,
    stage: str,
    parameters: Mapping[str, str],
    faults: frozenset[str] = frozenset(),
    users: Sequence[TestUser] = (),
    code_zip: Path | None = None,
    crm_token: str | None = None,
) -> Provisioned:
    """Create (or converge) every template resource plus the sandbox extras; see the module docstring.

    `crm_token`, when given, is put as the consumer's SecureString token parameter (the stand-in's token locally).
    """
    unknown = {name for name in faults if name.startswith(("provision.", "client."))} - HANDLED_FAULTS
    if unknown:
        raise ProvisionError(f"unknown provisioning fault(s): {', '.join(sorted(unknown))}")
    given = dict(parameters)
    if given.setdefault("Stage", stage) != stage:
        raise ProvisionError(f"parameter Stage={given['Stage']!r} contradicts stage={stage!r}")
    template_text = template_path.read_text(encoding="utf-8")
    try:
        template = load_template(template_path)
        no_echo = [name for name, spec in template.get("Parameters", {}).items() if spec.get("NoEcho")]
    except TemplateError as exc:
        raise ProvisionError(str(exc)) from None
    # Scrubbed from any error message (botocore and moto may echo request values).
    secrets = [given[name] for name in no_echo if given.get(name)] + [user.password for user in users]
    secrets += [crm_token] if crm_token else []
    try:
        bound = bind_parameters(template, given)
        account_id = client_for(endpoint_url, region, "sts").get_caller_identity()["Account"]
        timings.mark("provision: account id")
        pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": f"hedgehog-learn-{stage}",
        }
        resolver = Resolver(bound, pseudo, template.get("Conditions", {}))
        ctx = Context(endpoint_url, region, stage, account_id, frozenset(faults), resolver, code_zip)
        ctx.crm_token = crm_token
        # The stack record creates nothing itself, so it is registered beside the resource walk: moto's
        # CloudFormation is the slowest single step (≈1 s) and otherwise sits on the start-up path.
        # The package upload (≈0.7 s for 6 MB) likewise runs beside the tables, pool and role it does not need.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="provision") as pool:
            stack = pool.submit(register_stack, ctx, str(pseudo["AWS::StackName"]), template_text, given, no_echo)
            ctx.code_upload = pool.submit(
                lambda_.upload_code, ctx, str(bound["CodeS3Bucket"]), str(bound["CodeS3Key"]), code_zip
            )
            # The token parameter's name comes from parameters only; moto's SSM is slow to wake (≈1 s import).
            token = (
                pool.submit(crmsync.put_token_parameter, ctx, _token_parameter_name(template, resolver), crm_token)
                if crm_token
                else None
            )
            declared = _walk(ctx, template)
            timings.mark("provision: resource walk done")
            ctx.code_upload.result()
            timings.mark("provision: code uploaded")
            web_client = template["Resources"]["UserPoolClient"]
            other_client_id = cognito.ensure_other_client(
                ctx, resolver.refs["UserPool"], resolver.resolve(web_client["Properties"])
            )
            cognito.ensure_test_users(ctx, resolver.refs["UserPool"], users)
            timings.mark("provision: other client and test users")
            if token is not None:
                token.result()
            stack_id = stack.result()
            timings.mark("provision: token parameter and stack record")
    except (ClientError, BotoCoreError, TemplateError, ProvisionError) as exc:
        raise ProvisionError(_scrub(f"provisioning failed: {exc}", secrets)) from None
    return _result(ctx, template, stack_id, other_client_id, declared)


def _walk(ctx: Context, template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Create each resource once everything it references exists, independent ones side by side (the walk is
    bound by round trips to moto, not by work here); returns the resolved properties per logical id."""
    resources = template["Resources"]
    declared: dict[str, dict[str, Any]] = {}
    sorter = dependency_graph(template)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise TemplateError(f"circular references between resources: {exc.args[1]}") from exc
    running: dict[Future[Created], str] = {}
    with ThreadPoolExecutor(max_workers=WALK_WORKERS, thread_name_prefix="provision-walk") as pool:
        while sorter.is_active():
            for logical_id in sorter.get_ready():
                resource = resources[logical_id]
                if "Condition" in resource and not ctx.resolver.condition(resource["Condition"]):
                    sorter.done(logical_id)
                    continue
                handler = HANDLERS.get(resource["Type"])
                if handler is None:
                    raise ProvisionError(
                        f"{logical_id}: resource type {resource['Type']} is not supported by the sandbox"
                    )
                # Resolved here, on this thread: the resolver only ever grows on this thread.
                properties = ctx.resolver.resolve(resource.get("Properties", {}))
                declared[logical_id] = properties
                running[pool.submit(_timed, handler, ctx, logical_id, properties)] = logical_id
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                logical_id = running.pop(future)
                try:
                    created = future.result()
                except (ClientError, BotoCoreError) as exc:
                    for other in running:
                        other.cancel()
                    raise ProvisionError(f"{logical_id} ({resources[logical_id]['Type']}): {exc}") from None
                ctx.resolver.refs[logical_id] = created.ref
                ctx.resolver.attrs[logical_id] = created.attrs
                log.debug("provisioned %s (%s)", logical_id, resources[logical_id]["Type"])
                sorter.done(logical_id)
    return declared


def _timed(handler: Handler, ctx: Context, logical_id: str, properties: dict[str, Any]) -> Created:
    with timings.phase(f"provision {logical_id}"):
        return handler(ctx, logical_id, properties)


def _mapping_ids(refs: dict[str, str]) -> dict[str, str]:
    # CrmSyncUsersMapping etc.: one per table, named after it.
    return {key: refs[f"CrmSync{lid.removesuffix('Table')}Mapping"] for lid, key in _TABLE_KEYS.items()}


def _token_parameter_name(template: dict[str, Any], resolver: Resolver) -> str:
    variables = template["Resources"]["CrmSyncFunction"]["Properties"]["Environment"]["Variables"]
    return str(resolver.resolve(variables["HUBSPOT_TOKEN_PARAMETER"]))


def _token_parameter(declared: dict[str, dict[str, Any]]) -> str:
    return str(declared["CrmSyncFunction"]["Environment"]["Variables"]["HUBSPOT_TOKEN_PARAMETER"])


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[secure]")
    return text


def _result(
    ctx: Context, template: dict[str, Any], stack_id: str, other_client_id: str, declared: dict[str, dict[str, Any]]
) -> Provisioned:
    refs, attrs = ctx.resolver.refs, ctx.resolver.attrs
    resources = template["Resources"]
    alarms = [lid for lid, res in resources.items() if res["Type"] == "AWS::CloudWatch::Alarm"]
    alarms += [lid for lid, res in resources.items() if res["Type"] == "AWS::CloudWatch::CompositeAlarm"]
    return Provisioned(
        stack_name=str(ctx.resolver.pseudo["AWS::StackName"]),
        stack_id=stack_id,
        region=ctx.region,
        account_id=ctx.account_id,
        tables={key: refs[lid] for lid, key in _TABLE_KEYS.items()},
        table_arns={key: attrs[lid]["Arn"] for lid, key in _TABLE_KEYS.items()},
        stream_arns={
            key: attrs[lid]["StreamArn"] for lid, key in _TABLE_KEYS.items() if attrs[lid]["StreamArn"] is not NO_VALUE
        },
        function_name=refs["ApiFunction"],
        function_arn=attrs["ApiFunction"]["Arn"],
        alias_arn=refs["ApiFunctionAlias"],
        function_version=attrs["ApiFunctionVersion"]["Version"],
        log_group=refs["ApiLogGroup"],
        user_pool_id=refs["UserPool"],
        client_id=refs["UserPoolClient"],
        other_client_id=other_client_id,
        cognito_domain_prefix=refs["UserPoolDomain"],
        api_id=refs["HttpApi"],
        api_endpoint=attrs["HttpApi"]["ApiEndpoint"],
        topic_arn=refs["AlarmTopic"],
        alarm_names=tuple(refs[lid] for lid in alarms),
        dashboard_name=refs["Dashboard"],
        role_arn=attrs["ApiFunctionRole"]["Arn"],
        crm_function_name=refs["CrmSyncFunction"],
        crm_alias_arn=refs["CrmSyncFunctionAlias"],
        crm_dlq_url=refs["CrmSyncDlq"],
        crm_mappings={key: uuid for key, uuid in _mapping_ids(refs).items() if uuid},
        crm_token_parameter=_token_parameter(declared),
        physical_ids=dict(refs),
        declared=declared,
        gaps=tuple(ctx.gaps),
        faults=ctx.faults,
    )
