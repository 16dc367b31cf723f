"""Operational hygiene: security.ops.alarm_actions/dashboard/explicit_memory_timeout, security.iam.least_privilege."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from checks.aws.model import Judgement, View, rule
from checks.aws.names import alarm_name
from checks.aws.rules.expected import ALARMS, COMPOSITE_SUFFIX
from checks.aws.schema import TemplateFunction

# Actions the function must not be able to perform; any Allow pattern matching one of them is a finding
# (so `*`, `dynamodb:*`, `dynamodb:Delete*` are caught as well as the literal names).
FORBIDDEN_ACTIONS = ("dynamodb:scan", "dynamodb:deleteitem", "dynamodb:deletetable", "dynamodb:updatetable")


@rule("security.ops.alarm_actions", "cloudwatch", "sns")
def alarm_actions(view: View, j: Judgement) -> None:
    """Every alarm has actions enabled and notifies the SNS topic; [real] the topic has a confirmed subscriber."""
    data = view.section("cloudwatch")
    alarms = {**view.item("cloudwatch", "alarms"), **(data.get("composite_alarms") or {})}
    if not alarms:
        j.fail(f"no alarms named {data['alarm_prefix']}*")
        return
    sns = view.section("sns")
    if sns.get("configured") is None:
        j.fail("env sns_topic is null: alarms notify nobody")
        topic_arn = None
    else:
        topic_arn = view.item("sns", "topic", "topic").get("TopicArn")
    for name, alarm in sorted(alarms.items()):
        j.expect(f"{name} ActionsEnabled", True, alarm.get("ActionsEnabled"))
        actions = alarm.get("AlarmActions") or []
        if topic_arn:
            j.expect(f"{name} AlarmActions", f"contains {topic_arn}", actions, ok=topic_arn in actions)
        else:
            j.actual[f"{name} AlarmActions"] = actions
    if topic_arn is None:
        return
    confirmed = sum(1 for s in sns.get("subscriptions", []) if s.get("confirmed"))
    if view.env.kind == "aws":
        j.expect("confirmed subscriptions", ">= 1", confirmed, ok=confirmed >= 1)
    else:
        j.actual["confirmed subscriptions"] = confirmed
        j.note("subscription confirmation not required locally (moto never confirms e-mail subscriptions)")


@rule("security.ops.dashboard", "cloudwatch", "apigatewayv2")
def dashboard(view: View, j: Judgement) -> None:
    """The dashboard exists and references the function, the API id and every alarm."""
    data = view.section("cloudwatch")
    board = view.item("cloudwatch", "dashboard")
    text = json.dumps(board.get("body") or {})
    api_id = view.item("apigatewayv2", "api_id", "api_id")
    names = [alarm_name(view.env, spec.suffix) for spec in ALARMS] + [alarm_name(view.env, COMPOSITE_SUFFIX)]
    wanted = [view.env.function_name, api_id, *names]
    missing = [w for w in wanted if w not in text]
    j.expect(
        f"dashboard {data['dashboard_name']} references",
        wanted,
        [w for w in wanted if w in text],
        ok=not missing,
        detail=f"does not mention {missing}",
    )


def _function_declaration(view: View, j: Judgement) -> TemplateFunction | None:
    template = view.item("cloudformation", "template")
    functions = template.get("functions", [])
    name = view.env.function_name
    declared = [f for f in functions if f.get("FunctionName") == name]
    if not declared and len(functions) == 1 and functions[0].get("FunctionName") is None:
        declared = functions  # a name the template computes in a way we cannot render: the only function is it
    if not declared:
        j.fail(f"template ({template['source']}) declares no function named {name}")
        return None
    return declared[0]


@rule("security.ops.explicit_memory_timeout", "cloudformation", "lambda")
def explicit_memory_timeout(view: View, j: Judgement) -> None:
    """MemorySize and Timeout are declared in the deployed template, equal env `expected` and the live config."""
    declaration = _function_declaration(view, j)
    live = view.item("lambda", "function")
    expected = view.env.expected
    if declaration is None:
        return
    for prop, wanted in (("MemorySize", expected.memory_mb), ("Timeout", expected.timeout_s)):
        declared, actual = declaration.get(prop), live.get(prop)
        j.expected[prop] = {"declared": wanted, "live": wanted}
        j.actual[prop] = {"declared": declared, "live": actual}
        if declared is None:
            # Serverless v3 then applies 1024 MB / 6 s: a number nobody chose.
            j.fail(f"{prop} not declared in the template (live {actual} = the deployer's default)")
        elif declared != wanted or actual != wanted:
            j.fail(f"{prop}: expected {wanted}, template declares {declared}, live {actual}")


def _allow_statements(document: Any) -> Iterator[dict[str, Any]]:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in [statements] if isinstance(statements, dict) else statements:
        if statement.get("Effect") == "Allow":
            yield statement


@rule("security.iam.least_privilege", "iam")
def least_privilege(view: View, j: Judgement) -> None:
    """The function role grants no `*`, `dynamodb:*`, Scan or DeleteItem (inline and attached policies)."""
    data = view.section("iam")
    view.item("iam", "role")
    for key in ("inline", "attached"):
        if key in data["errors"]:
            j.fail(f"{key} policies not listed: {data['errors'][key]}")
    documents = {f"inline {n}": d for n, d in data["inline_policies"].items()}
    documents |= {f"attached {n}": d for n, d in data["attached_policies"].items()}
    broad: list[str] = []
    for source, document in documents.items():
        for statement in _allow_statements(document):
            if "NotAction" in statement:
                broad.append(f"{source}: Allow NotAction {statement['NotAction']}")
            actions = statement.get("Action", [])
            for action in [actions] if isinstance(actions, str) else actions:
                if any(fnmatchcase(forbidden, action.lower()) for forbidden in FORBIDDEN_ACTIONS):
                    broad.append(f"{source}: {action}")
    j.expected["forbidden grants"] = []
    j.actual["forbidden grants"] = broad
    j.actual["policies"] = sorted(documents)
    if broad:
        j.fail("the function role can scan or delete: " + ", ".join(broad))
    if not documents:
        j.fail("the function role has no policies to judge")
