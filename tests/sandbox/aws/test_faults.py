"""Each provisioning fault (SPEC §10 `provision.*`, `client.drop_callback_url`) shows its defect through describe calls,
and the same describe call shows the declared value on a healthy provisioning (so every assertion can fail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.aws.provision import HANDLED_FAULTS, Provisioned, ProvisionError
from sandbox.faults import FAULTS

Probe = Callable[[Callable[[str], Any], Provisioned], Any]


def _pitr(aws, p: Provisioned) -> str:
    backups = aws("dynamodb").describe_continuous_backups(TableName=p.tables["progress"])
    return backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]


def _tables_with_sse(aws, p: Provisioned) -> int:
    described = [aws("dynamodb").describe_table(TableName=name)["Table"] for name in p.tables.values()]
    return sum(table.get("SSEDescription", {}).get("Status") == "ENABLED" for table in described)


def _tables_with_stream(aws, p: Provisioned) -> int:
    described = [aws("dynamodb").describe_table(TableName=name)["Table"] for name in p.tables.values()]
    views = [table.get("StreamSpecification", {}).get("StreamViewType") for table in described]
    return views.count("NEW_AND_OLD_IMAGES")


def _published_versions(aws, p: Provisioned) -> list[str]:
    versions = aws("lambda").list_versions_by_function(FunctionName=p.function_name)["Versions"]
    return [v["Version"] for v in versions if v["Version"] != "$LATEST"]


def _alarm_actions(aws, p: Provisioned) -> set[tuple[bool, tuple[str, ...], tuple[str, ...]]]:
    alarms = aws("cloudwatch").describe_alarms(AlarmNames=list(p.alarm_names))["MetricAlarms"]
    api = [a for a in alarms if "-crm-sync-" not in a["AlarmName"]]  # the fault models the API's deployment
    return {(a["ActionsEnabled"], tuple(a["AlarmActions"]), tuple(a["OKActions"])) for a in api}


def _alarm_states(aws, p: Provisioned) -> dict[str, str]:
    alarms = aws("cloudwatch").describe_alarms(AlarmNames=list(p.alarm_names))["MetricAlarms"]
    return {a["AlarmName"].removeprefix(f"{p.stack_name}-"): a["StateValue"] for a in alarms}


def _retention(aws, p: Provisioned) -> int:
    return aws("logs").describe_log_groups(logGroupNamePrefix=p.log_group)["logGroups"][0]["retentionInDays"]


def _sizing(aws, p: Provisioned) -> tuple[int, int, bool]:
    config = aws("lambda").get_function_configuration(FunctionName=p.function_name)
    body = aws("cloudformation").get_template(StackName=p.stack_name)["TemplateBody"]
    return config["MemorySize"], config["Timeout"], "MemorySize:" in body


def _test_bypass(aws, p: Provisioned) -> str | None:
    config = aws("lambda").get_function_configuration(FunctionName=p.function_name)
    return config["Environment"]["Variables"].get("ENABLE_TEST_BYPASS")


def _callback_urls(aws, p: Provisioned) -> list[str]:
    client = aws("cognito-idp").describe_user_pool_client(UserPoolId=p.user_pool_id, ClientId=p.client_id)
    return client["UserPoolClient"].get("CallbackURLs", [])


def _has_dashboard(aws, p: Provisioned) -> bool:
    names = [d["DashboardName"] for d in aws("cloudwatch").list_dashboards()["DashboardEntries"]]
    return p.stack_name in names  # the dashboard is named like the stack, hedgehog-learn-<stage>


def _aliases_and_target(aws, p: Provisioned) -> tuple[list[str], bool]:
    aliases = [a["Name"] for a in aws("lambda").list_aliases(FunctionName=p.function_name)["Aliases"]]
    return aliases, p.alias_arn.endswith(":live")


def _dynamodb_grants(aws, p: Provisioned) -> set[str]:
    role = aws("lambda").get_function_configuration(FunctionName=p.function_name)["Role"].rsplit("/", 1)[-1]
    iam = aws("iam")
    actions: set[str] = set()
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        for statement in iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"]:
            listed = statement.get("Action", [])
            actions |= {a for a in ([listed] if isinstance(listed, str) else listed) if a in FORBIDDEN}
    return actions


FORBIDDEN = {"dynamodb:Scan", "dynamodb:DeleteItem"}


def _mapping_states(aws, p: Provisioned) -> set[str]:
    mappings = [aws("lambda").get_event_source_mapping(UUID=uuid) for uuid in p.crm_mappings.values()]
    return {m["State"] for m in mappings} | ({"four"} if len(mappings) == 4 else set())


def _dlq_and_destinations(aws, p: Provisioned) -> tuple[bool, set[str]]:
    queues = aws("sqs").list_queues(QueueNamePrefix=f"{p.stack_name}-crm-sync-dlq").get("QueueUrls", [])
    mappings = [aws("lambda").get_event_source_mapping(UUID=uuid) for uuid in p.crm_mappings.values()]
    destinations = {m.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", "") for m in mappings}
    return bool(queues), {d.rsplit(":", 1)[-1].removeprefix(p.stack_name) for d in destinations}  # queue names


def _crm_token_in_environment(aws, p: Provisioned) -> tuple[bool, bool]:
    """(the consumer names its parameter, some variable holds the parameter's value); the API function never."""
    value = aws("ssm").get_parameter(Name=p.crm_token_parameter, WithDecryption=True)["Parameter"]["Value"]
    consumer = aws("lambda").get_function_configuration(FunctionName=p.crm_function_name)["Environment"]["Variables"]
    api = aws("lambda").get_function_configuration(FunctionName=p.function_name)["Environment"]["Variables"]
    assert value not in api.values()
    return consumer.get("HUBSPOT_TOKEN_PARAMETER") == p.crm_token_parameter, value in consumer.values()


def _crm_alias_and_mapping_targets(aws, p: Provisioned) -> tuple[list[str], set[str]]:
    """The consumer's aliases and the qualifier its mappings name (the API function keeps its alias)."""
    assert [a["Name"] for a in aws("lambda").list_aliases(FunctionName=p.function_name)["Aliases"]] == ["live"]
    aliases = [a["Name"] for a in aws("lambda").list_aliases(FunctionName=p.crm_function_name)["Aliases"]]
    mappings = [aws("lambda").get_event_source_mapping(UUID=uuid) for uuid in p.crm_mappings.values()]
    # moto reports a mapping made on the alias with the version behind it: any qualifier means "not bare".
    qualifiers = {"bare" if m["FunctionArn"].endswith(f":{p.crm_function_name}") else "qualified" for m in mappings}
    return aliases, qualifiers | ({"four"} if len(mappings) == 4 else set())


def _dlq_alarm_metric(aws, p: Provisioned) -> tuple[str, str]:
    alarms = aws("cloudwatch").describe_alarms(AlarmNames=[f"{p.stack_name}-crm-sync-dlq-depth"])["MetricAlarms"]
    return alarms[0]["Namespace"], alarms[0]["MetricName"]


CRM_ALARMS = {"crm-sync-errors": "OK", "crm-sync-iterator-age": "OK", "crm-sync-dlq-depth": "OK"}

# fault -> (probe, value on a healthy stack, value with the fault)
CASES: dict[str, tuple[Probe, Any, Any]] = {
    "provision.no_pitr": (_pitr, "ENABLED", "DISABLED"),
    "provision.no_sse": (_tables_with_sse, 4, 3),
    "provision.no_stream": (_tables_with_stream, 4, 3),
    "provision.no_alarm_actions": (_alarm_actions, "topic", {(False, (), ())}),
    "provision.alarm_firing": (
        _alarm_states,
        {"lambda-errors": "OK", "lambda-throttles": "OK", "httpapi-5xx": "OK", "httpapi-latency": "OK"} | CRM_ALARMS,
        {"lambda-errors": "ALARM", "lambda-throttles": "OK", "httpapi-5xx": "OK", "httpapi-latency": "OK"} | CRM_ALARMS,
    ),
    "provision.retention_14": (_retention, 30, 14),
    "provision.default_memory": (_sizing, (512, 10, True), (1024, 6, False)),
    "provision.env_test_bypass": (_test_bypass, None, "true"),
    "provision.no_dashboard": (_has_dashboard, True, False),
    "provision.no_alias": (_aliases_and_target, (["live"], True), ([], False)),
    "provision.iam_scan_delete": (_dynamodb_grants, set(), FORBIDDEN),
    "provision.single_version": (_published_versions, ["1", "2"], ["1"]),  # 1 = the previous release
    "provision.crm_mapping_disabled": (_mapping_states, {"Enabled", "four"}, {"Disabled", "four"}),
    "provision.crm_no_dlq": (_dlq_and_destinations, (True, {"-crm-sync-dlq"}), (False, {""})),
    "provision.crm_token_in_env": (_crm_token_in_environment, (True, False), (True, True)),
    "provision.crm_no_alias": (
        _crm_alias_and_mapping_targets,
        (["live"], {"qualified", "four"}),
        ([], {"bare", "four"}),
    ),
    "provision.crm_dlq_alarm_wrong_metric": (
        _dlq_alarm_metric,
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "NumberOfMessagesSent"),
    ),
    "client.drop_callback_url": (
        _callback_urls,
        ["http://localhost:8401/auth/callback", "http://localhost:8400/auth/callback"],
        ["http://localhost:8400/auth/callback"],
    ),
}


def test_every_aws_fault_in_the_catalog_is_planted_and_tested() -> None:
    catalog = {name for name, fault in FAULTS.items() if fault.component in {"provision", "client"}}
    assert catalog == HANDLED_FAULTS == set(CASES)


@pytest.mark.parametrize("fault", sorted(CASES))
def test_fault_exhibits_its_defect(aws, provision_stage, healthy: Provisioned, fault: str) -> None:
    probe, healthy_value, faulty_value = CASES[fault]
    if healthy_value == "topic":  # every alarm acts on the stack's own topic
        healthy_value = {(True, (healthy.topic_arn,), (healthy.topic_arn,))}
    assert probe(aws, healthy) == healthy_value
    faulty = provision_stage(faults=frozenset({fault}))
    assert faulty.faults == {fault}
    assert probe(aws, faulty) == faulty_value


def test_reprovisioning_converges_and_keeps_ids(aws, provision_stage) -> None:
    first = provision_stage(faults=frozenset({"provision.retention_14", "client.drop_callback_url"}))
    stage = first.stack_name.removeprefix("hedgehog-learn-")
    second = provision_stage(stage=stage)
    assert (second.user_pool_id, second.client_id, second.api_id) == (first.user_pool_id, first.client_id, first.api_id)
    assert second.other_client_id == first.other_client_id
    assert _retention(aws, second) == 30
    assert len(_callback_urls(aws, second)) == 2
    routes = aws("apigatewayv2").get_routes(ApiId=second.api_id)["Items"]
    assert len(routes) == 10
    stack = aws("cloudformation").describe_stacks(StackName=second.stack_name)["Stacks"][0]
    assert stack["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}


def test_unknown_provisioning_fault_is_refused(provision_stage) -> None:
    with pytest.raises(ProvisionError, match="unknown provisioning fault"):
        provision_stage(faults=frozenset({"provision.no_such_thing"}))


def test_other_components_faults_are_ignored_here(provision_stage) -> None:
    result = provision_stage(faults=frozenset({"backend.test_bypass"}))
    assert result.faults == {"backend.test_bypass"}
    assert result.gaps  # provisioned normally


def test_bad_parameters_fail_with_names_not_values(provision_stage) -> None:
    with pytest.raises(ProvisionError) as caught:
        provision_stage(AuthCookieSecret="short-secret-value", SiteBaseUrl="not a url")
    message = str(caught.value)
    assert "AuthCookieSecret" in message and "SiteBaseUrl" in message
    assert "short-secret-value" not in message
