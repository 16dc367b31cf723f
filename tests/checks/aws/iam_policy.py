"""The shipped IAM policies (iam/*.json) as the project's tests read them: which actions each grants, whether it
allows one recorded call (aws-calls.json rows), and the access level parliament's IAM data gives an action."""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from pathlib import Path
from typing import Any

IAM_DIR = Path(__file__).resolve().parents[3] / "iam"
READ_ONLY = IAM_DIR / "harness-read-only.json"
WRITES = IAM_DIR / "harness-writes.json"
AWS_ONLY = IAM_DIR / "aws-only-calls.json"


def load(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        raise ValueError(f"{path}: not an IAM policy document (no Statement list)")
    return document


def as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The Allow statements; the shipped policies have no Deny and no NotAction/NotResource (asserted)."""
    for statement in policy["Statement"]:
        if statement.get("Effect") != "Allow" or {"NotAction", "NotResource"} & set(statement):
            raise ValueError(f"statement {statement.get('Sid')}: only plain Allow statements are expected")
    return list(policy["Statement"])


def granted(policy: dict[str, Any]) -> set[str]:
    """Every action the policy names (explicit names only: a wildcard action would grant unrecorded ones)."""
    actions = {action for s in statements(policy) for action in as_list(s["Action"])}
    wild = sorted(a for a in actions if "*" in a or "?" in a)
    if wild:
        raise ValueError(f"wildcard actions {wild}: list each action the harness calls")
    return actions


def path_fits(template: str, resource: str) -> bool:
    """Whether a recorded API Gateway path template (`/apis/{apiId}/stages`) can fall under a policy resource
    (`arn:aws:apigateway:<region>::/apis/??????????/stages`), segment by segment: a `{placeholder}` stands for the
    env's value, which the recorder never keeps, so any one segment of the resource fits it; a literal segment must
    match the resource's. A resource whose `*` spans segments would also reach other operations: never fits."""
    path = resource.split("::", 1)[-1]
    wanted, have = template.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(have) or any(segment == "*" for segment in have[:-1]):
        return False
    return all(w.startswith("{") or fnmatch.fnmatchcase(w, h) for w, h in zip(wanted, have, strict=True))


def allows(policy: dict[str, Any], action: str, resource_path: str | None = None) -> bool:
    """Whether some statement grants `action`; for API Gateway, on a resource the recorded path fits."""
    for statement in statements(policy):
        if action.lower() not in {a.lower() for a in as_list(statement["Action"])}:
            continue
        if resource_path is None or any(path_fits(resource_path, r) for r in as_list(statement["Resource"])):
            return True
    return False


def allows_row(policy: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether the policy allows one aws-calls.json row (a call that needs no permission always is)."""
    return row["action"] is None or allows(policy, row["action"], row.get("resource"))


@cache
def _privileges() -> dict[str, dict[str, str]]:
    import parliament  # type: ignore[import-untyped]  # slow to import (its IAM data): only when a test asks

    levels: dict[str, dict[str, str]] = {}
    for service in parliament.iam_definition:
        table = levels.setdefault(service["prefix"], {})
        for privilege in service["privileges"]:
            table.setdefault(privilege["privilege"].lower(), privilege["access_level"])
    return levels


def access_level(action: str) -> str:
    """`List`, `Read`, `Write`, `Permissions management` or `Tagging`, from parliament's IAM data."""
    prefix, _, name = action.partition(":")
    level = _privileges().get(prefix, {}).get(name.lower())
    if level is None:
        raise ValueError(f"{action}: not an action in parliament's IAM data")
    return level


def unused(policy: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """What the policy grants that no row needed: an action no row names, or an API Gateway resource no recorded
    path fits."""
    needed = {row["action"].lower() for row in rows if row["action"]}
    spare = [action for action in sorted(granted(policy)) if action.lower() not in needed]
    for statement in statements(policy):
        paths = [r["resource"] for r in rows if r["action"] in as_list(statement["Action"]) and r.get("resource")]
        for resource in as_list(statement["Resource"]) if paths else ():
            if not any(path_fits(path, resource) for path in paths):
                spare.append(f"{'/'.join(as_list(statement['Action']))} on {resource}")
    return spare


def declared_calls(policy_name: str) -> list[dict[str, Any]]:
    """iam/aws-only-calls.json's rows for policy `read-only` or `writes`."""
    calls = json.loads(AWS_ONLY.read_text(encoding="utf-8"))["calls"]
    return [call for call in calls if call["policy"] == policy_name]
