"""The snapshot schema (checks/aws/schema.py) holds: its typed getters agree with its TypedDicts, the healthy moto
stack's sections have exactly its keys and value types, and every key a rule or the report reads literally is one
of its keys (mypy lets `.get("typo")` through: it returns `object`, which the rules often pass on untyped)."""

from __future__ import annotations

import ast
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_overloads, get_type_hints, is_typeddict

import pytest

from checks.aws import schema
from checks.aws.collectors import COLLECTORS

ROOT = Path(__file__).resolve().parents[3]
SECTIONS = get_type_hints(schema.Sections)
# Read by the rules but not snapshot keys: IAM policy documents (any shape), a tag name, the rule's own Judgement.
NOT_SNAPSHOT_KEYS = {"Statement", "Effect", "Action", "NotAction", "ManagedBy", "alias"}


def _without_none(hint: Any) -> Any:
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType) and type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        return rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built from a tuple
    return hint


def _literal(hint: Any) -> str:
    assert get_origin(hint) is Literal, hint
    return str(get_args(hint)[0])


def test_section_getter_names_every_section():
    typed = {}
    for overload in get_overloads(schema.SectionGetter.__call__):
        hints = get_type_hints(overload)
        if hints["service"] is not str:
            typed[_literal(hints["service"])] = hints["return"]
    assert typed == SECTIONS
    assert set(COLLECTORS) == set(SECTIONS)


def test_item_getter_returns_the_schema_type_without_none():
    for overload in get_overloads(schema.ItemGetter.__call__):
        hints = get_type_hints(overload)
        service, key = _literal(hints["service"]), _literal(hints["key"])
        field = get_type_hints(SECTIONS[service])[key]
        assert type(None) in get_args(field), f"{service}.{key} is never None: read it with section()"
        assert hints["return"] == _without_none(field), f"{service}.{key}"


def _conforms(value: Any, hint: Any, path: str) -> list[str]:
    """Where `value` departs from `hint` (TypedDict keys exact for required ones, a subset otherwise)."""
    if hint is Any:
        return []
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a {hint.__name__}"]
        hints = get_type_hints(hint)
        problems = [f"{path}: unexpected key {k!r}" for k in value if k not in hints]
        problems += [f"{path}: missing key {k!r}" for k in hint.__required_keys__ if k not in value]
        for key, item in value.items():
            if key in hints:
                problems += _conforms(item, hints[key], f"{path}.{key}")
        return problems
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [_conforms(value, option, path) for option in args if value is None or option is not type(None)]
        return [] if any(not o for o in options) else min(options, key=len)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not a list"]
        return [p for i, item in enumerate(value) for p in _conforms(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not a dict"]
        return [p for k, item in value.items() for p in _conforms(item, args[1], f"{path}[{k!r}]")]
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if hint is float:
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{path}: {value!r}"]
    if hint is int and isinstance(value, bool):
        return [f"{path}: {value!r} is a bool"]
    return [] if isinstance(value, hint) else [f"{path}: {value!r} is not a {hint.__name__}"]


def test_the_healthy_stack_has_exactly_the_schema(healthy):
    _, sections, _ = healthy
    assert set(sections) == set(SECTIONS)
    for service, section in sections.items():
        assert set(section) == set(get_type_hints(SECTIONS[service])), service
        assert _conforms(section, SECTIONS[service], service) == []


def _schema_keys() -> set[str]:
    keys: set[str] = set()
    for value in vars(schema).values():
        if is_typeddict(value):
            keys |= set(get_type_hints(value))
    return keys


def _literal_reads(path: Path) -> set[str]:
    """String keys read as `x["k"]`, `x.get("k"...)` or `dig(x, "k", ...)`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            candidates = [node.slice]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            candidates = node.args[:1]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dig":
            candidates = node.args[1:]
        else:
            continue
        found |= {c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return found


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "checks/aws/rules").glob("*.py")), ROOT / "reports/snapshots.py"],
    ids=lambda p: p.name,
)
def test_every_literal_key_read_is_a_schema_key(path: Path):
    assert _literal_reads(path) - _schema_keys() - NOT_SNAPSHOT_KEYS == set()
