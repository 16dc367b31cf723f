"""Read a CloudFormation template (YAML with short-form tags, or JSON) and summarise what the checks judge.

Only a summary is kept: a deployed template may carry literal environment values (the real Serverless stack
inlines them), so the raw body never reaches a snapshot. Names are rendered from `Ref`/`Fn::Sub`/`Fn::GetAtt`
against the stack parameters and the other resources' name properties; anything else stays unresolved (None).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cfnlint.decode import cfn_json, cfn_yaml

from checks.aws.schema import TemplateSummary

__all__ = ["parse_template", "summarise_template"]

# The property that holds each resource type's physical name.
_NAME_PROPERTIES = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::CompositeAlarm": "AlarmName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Cognito::UserPoolDomain": "Domain",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


def parse_template(body: str | Mapping[str, Any]) -> dict[str, Any]:
    """The template as plain dicts (botocore already decodes JSON bodies; YAML arrives as text)."""
    if isinstance(body, Mapping):
        return json.loads(json.dumps(body))
    text = body.strip()
    loaded = cfn_json.loads(text) if text.startswith("{") else cfn_yaml.loads(text)
    return json.loads(json.dumps(loaded))


class _Renderer:
    def __init__(self, resources: Mapping[str, Any], parameters: Mapping[str, str], pseudo: Mapping[str, str]) -> None:
        self.resources = resources
        self.values: dict[str, str | None] = {**parameters, **pseudo}
        for logical_id, resource in resources.items():
            prop = _NAME_PROPERTIES.get(resource.get("Type", ""))
            if prop:
                self.values[logical_id] = None  # placeholder while rendering names that refer to each other
        for logical_id, resource in resources.items():
            prop = _NAME_PROPERTIES.get(resource.get("Type", ""))
            if prop:
                self.values[logical_id] = self.render(resource.get("Properties", {}).get(prop))

    def render(self, value: Any) -> Any:
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if isinstance(value, Mapping) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.values.get(arg)
            if fn == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
                return self.values.get(target)
            if fn == "Fn::Sub":
                return self._sub(arg)
            return None
        if isinstance(value, Mapping):
            return {k: self.render(v) for k, v in value.items()}
        return None

    def _sub(self, arg: Any) -> str | None:
        text, local = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
        missing = False

        def replace(match: re.Match[str]) -> str:
            nonlocal missing
            key = match.group(1).split(".", 1)[0]
            value = self.render(local[key]) if key in local else self.values.get(key)
            if value is None:
                missing = True
                return match.group(0)
            return str(value)

        rendered = _SUB_VARIABLE.sub(replace, str(text))
        return None if missing else rendered


def summarise_template(
    body: str | Mapping[str, Any],
    *,
    parameters: Mapping[str, str],
    region: str,
    account_id: str | None,
    source: str,
) -> TemplateSummary:
    """What the checks read from a template: functions' declared sizing, alarms, composite rules, domains."""
    raw = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    doc = parse_template(body)
    resources = doc.get("Resources", {}) or {}
    pseudo = {"AWS::Region": region, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
    if account_id:
        pseudo["AWS::AccountId"] = account_id
    renderer = _Renderer(resources, parameters, pseudo)

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(lid, r.get("Properties", {}) or {}) for lid, r in resources.items() if r.get("Type") == kind]

    return {
        "source": source,
        "sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        "resource_count": len(resources),
        "functions": [
            {
                "logical_id": lid,
                "FunctionName": renderer.values.get(lid),
                # None = not declared: the deployer's default applies (1024/6 for Serverless v3).
                "MemorySize": props.get("MemorySize"),
                "Timeout": props.get("Timeout"),
                "Runtime": props.get("Runtime"),
                "Handler": props.get("Handler"),
            }
            for lid, props in of_type("AWS::Lambda::Function")
        ],
        "metric_alarms": [
            {"logical_id": lid, "AlarmName": renderer.values.get(lid)} for lid, _ in of_type("AWS::CloudWatch::Alarm")
        ],
        "composite_alarms": [
            {
                "logical_id": lid,
                "AlarmName": renderer.values.get(lid),
                "AlarmRule": renderer.render(props.get("AlarmRule")),
                "ActionsEnabled": props.get("ActionsEnabled", True),
            }
            for lid, props in of_type("AWS::CloudWatch::CompositeAlarm")
        ],
        "user_pool_domains": [
            {
                "logical_id": lid,
                "Domain": renderer.values.get(lid),
                "ManagedLoginVersion": props.get("ManagedLoginVersion"),
            }
            for lid, props in of_type("AWS::Cognito::UserPoolDomain")
        ],
    }
