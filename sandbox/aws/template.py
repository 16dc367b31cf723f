"""Read backend/template.yaml the way CloudFormation would: short-form tags, parameters, conditions, intrinsics.

The provisioner calls the AWS APIs itself (moto's CloudFormation skips too much, SPEC §6), so it needs its own small
interpreter: `load_template` parses the YAML, `bind_parameters` validates the inputs, and `Resolver.resolve` evaluates
Ref/Sub/GetAtt/Join/Split/Select/If/Equals/Not/And/Or/Condition against the parameters and what was provisioned.

    >>> template = load_template(Path("backend/template.yaml"))
    >>> resolver = Resolver(bind_parameters(template, {...}), pseudo={"AWS::Region": "us-west-2", ...})
    >>> resolver.resolve({"Fn::Sub": "hedgehog-learn-${Stage}-api"})
    'hedgehog-learn-local-api'
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NO_VALUE",
    "Resolver",
    "TemplateError",
    "bind_parameters",
    "creation_order",
    "dependency_graph",
    "load_template",
]

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    **{
        name: f"Fn::{name}"
        for name in ("Sub", "Join", "Split", "Select", "If", "Equals", "Not", "And", "Or", "Base64", "GetAZs")
    },
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(Exception):
    """The template or its parameters cannot be interpreted. Messages name the parameter or resource, never values."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (`!Sub x`) into their long form (`{"Fn::Sub": x}`)."""


def _construct_short_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if tag_suffix not in _SHORT_TAGS:
        raise TemplateError(f"unsupported CloudFormation tag !{tag_suffix} at line {node.start_mark.line + 1}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":  # `!GetAtt A.B` is the one short form whose scalar must be split
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {_SHORT_TAGS[tag_suffix]: value}


_CfnLoader.add_multi_constructor("!", _construct_short_tag)


def load_template(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation YAML (or JSON) template into plain long-form dicts."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources mapping)")
    return document


def bind_parameters(template: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str | list[str]]:
    """Validate `given` against the template's Parameters: unknown, missing and malformed ones are one error."""
    declared: dict[str, dict[str, Any]] = template.get("Parameters", {})
    problems = [f"{name}: not a template parameter" for name in sorted(set(given) - set(declared))]
    bound: dict[str, str | list[str]] = {}
    for name, spec in declared.items():
        raw = given.get(name, spec.get("Default"))
        if raw is None:
            problems.append(f"{name}: required")
            continue
        raw = str(raw)
        if spec.get("Type") == "CommaDelimitedList":
            bound[name] = [item.strip() for item in raw.split(",")] if raw else []
            continue
        if len(raw) < int(spec.get("MinLength", 0)):
            problems.append(f"{name}: shorter than {spec['MinLength']} characters")
        elif (pattern := spec.get("AllowedPattern")) and raw and not re.fullmatch(pattern, raw):
            problems.append(f"{name}: does not match {pattern}")
        bound[name] = raw
    if problems:
        raise TemplateError("invalid template parameters: " + "; ".join(problems))
    return bound


def _references(value: Any) -> Iterator[str]:
    """Logical names a template fragment refers to (Ref, GetAtt, and `${X}` / `${X.Attr}` inside Sub)."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        if len(value) == 1 and "Ref" in value:
            yield value["Ref"]
        elif len(value) == 1 and "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        elif len(value) == 1 and "Fn::Sub" in value:
            body = value["Fn::Sub"]
            text, variables = (body, {}) if isinstance(body, str) else (body[0], body[1])
            for match in _SUB_VARIABLE.finditer(text):
                name = match.group(1).split(".", 1)[0]
                if name not in variables:
                    yield name
            yield from _references(variables)
        else:
            for item in value.values():
                yield from _references(item)


def dependency_graph(template: Mapping[str, Any]) -> graphlib.TopologicalSorter[str]:
    """Every resource with what it references (Ref/GetAtt/Sub/DependsOn), for an ordered or a parallel walk."""
    resources: dict[str, dict[str, Any]] = template["Resources"]
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
        needed = {name for name in _references(resource.get("Properties", {})) if name in resources}
        sorter.add(logical_id, *sorted(needed | set(depends_on)))
    return sorter


def creation_order(template: Mapping[str, Any]) -> list[str]:
    """Logical ids sorted so that every resource comes after what it references (Ref/GetAtt/Sub/DependsOn)."""
    try:
        return list(dependency_graph(template).static_order())
    except graphlib.CycleError as exc:
        raise TemplateError(f"circular references between resources: {exc.args[1]}") from exc


@dataclass
class Resolver:
    """Evaluates intrinsic functions. `refs`/`attrs` fill up as resources are provisioned."""

    parameters: Mapping[str, str | list[str]]
    pseudo: Mapping[str, str]
    condition_definitions: Mapping[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    _conditions: dict[str, bool] = field(default_factory=dict, repr=False)

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_definitions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(self.condition_definitions[name]))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        for source in (self.parameters, self.pseudo, self.refs):
            if name in source:
                return source[name]
        raise TemplateError(f"Ref to {name}, which is neither a parameter nor a provisioned resource")

    def get_att(self, name: str, attribute: str) -> str:
        try:
            return self.attrs[name][attribute]
        except KeyError:
            raise TemplateError(f"GetAtt {name}.{attribute} is not available (not provisioned yet?)") from None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), *_ = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], self.resolve(argument[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] in self.attrs | self.refs:
                return self.get_att(*name.split(".", 1))
            return str(self.ref(name))

        # `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def _select(self, argument: list[Any]) -> Any:
        index, items = int(self.resolve(argument[0])), self.resolve(argument[1])
        if not 0 <= index < len(items):
            raise TemplateError(f"Fn::Select index {index} is outside a list of {len(items)}")
        return items[index]


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda r, a: r.ref(a),
    "Condition": lambda r, a: r.condition(a),
    "Fn::GetAtt": lambda r, a: r.get_att(*(a.split(".", 1) if isinstance(a, str) else a)),
    "Fn::Sub": Resolver._sub,
    "Fn::Join": lambda r, a: str(a[0]).join(str(item) for item in r.resolve(a[1])),
    "Fn::Split": lambda r, a: str(r.resolve(a[1])).split(a[0]),
    "Fn::Select": Resolver._select,
    "Fn::If": lambda r, a: r.resolve(a[1] if r.condition(a[0]) else a[2]),
    "Fn::Equals": lambda r, a: r.resolve(a[0]) == r.resolve(a[1]),
    "Fn::Not": lambda r, a: not r.resolve(a[0]),
    "Fn::And": lambda r, a: all(r.resolve(item) for item in a),
    "Fn::Or": lambda r, a: any(r.resolve(item) for item in a),
}
