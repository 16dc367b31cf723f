"""The rule tests' cases (tests/checks/aws/rules/test_<rules module>.py): a check id, a defect written as a mutation
of a copy of the healthy snapshot (or of its env), and the outcome the rule must give."""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from checks.aws import evaluate
from tests.checks.aws.stack import StaticSnapshot

Mutation = Callable[[dict[str, Any], SimpleNamespace], None]
Case = tuple[str, str, Mutation, str, str]  # (check, case name, mutation, expected status, fragment of the message)


def cases(listed: list[Case]) -> list[Any]:
    return [pytest.param(c, mutate, status, frag, id=f"{c}:{name}") for c, name, mutate, status, frag in listed]


def assert_outcome(healthy: Any, check_id: str, mutate: Mutation, status: str, fragment: str) -> None:
    """The rule passes on the healthy snapshot, and gives `status` with `fragment` once `mutate` planted its defect."""
    env, sections, _ = healthy
    sections, env = copy.deepcopy(sections), SimpleNamespace(**vars(env))
    assert evaluate(StaticSnapshot(sections, env), check_id).status in ("passed", "warning")  # baseline
    mutate(sections, env)
    finding = evaluate(StaticSnapshot(sections, env), check_id)
    assert finding.status == status, finding.message
    assert fragment in finding.message


def alarm(s: dict[str, Any], suffix: str) -> dict[str, Any]:
    return s["cloudwatch"]["alarms"][f"hedgehog-learn-local-{suffix}"]


def table(s: dict[str, Any], role: str) -> dict[str, Any]:
    return s["dynamodb"]["tables"][role]


def stage(s: dict[str, Any]) -> dict[str, Any]:
    return s["apigatewayv2"]["stages"][0]


def as_aws(_: dict[str, Any], env: SimpleNamespace) -> None:
    env.kind = "aws"
