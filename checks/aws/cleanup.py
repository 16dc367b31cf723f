"""Remove what a run wrote for its persistent (AWS) test user, so that the next run can prove every write again.

Only that user's own rows, in the env's four tables (SPEC §4), keyed by the user id `/auth/me` answered: users and
enrollments and badges `PK=USER#<sub>`, progress `PK=USER#<sub>#COURSE#<course>` for every course the user is
enrolled in or has a badge for plus the given ones. Deletions go through `checks.aws.session.cleanup_client`, which
refuses any other key or table. Every deletion is listed in the returned record (the evidence under `_cleanup/`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from checks.aws.session import ReadOnlyAws, ReadOnlyViolation, cleanup_client, describe_error
from checks.errors import HarnessError, TargetUnreachable
from checks.evidence import Evidence
from checks.http import HttpClient
from environments import Environment

__all__ = ["CLEANUP_EVIDENCE", "UserCleanup", "remove_user_rows"]

CLEANUP_EVIDENCE = "_cleanup"  # evidence/_cleanup/<process>-user-<n>.json: every row removed, per user
SMOKE_COURSES = ("api-test-course",)  # SPEC §5 smoke slugs the checks write progress for

# Deleted last to first: the profile goes last, so a half-done cleanup leaves a user that can still sign in.
ORDER = ("progress", "badges", "enrollments", "users")


def _query(client: Any, table: str, pk: str) -> list[dict[str, Any]]:
    query: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }
    items: list[dict[str, Any]] = []
    while True:
        page = client.query(**query)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _course_of(item: dict[str, Any]) -> str | None:
    slug = item.get("courseSlug", {}).get("S") or item.get("metadata", {}).get("M", {}).get("courseSlug", {}).get("S")
    return slug if item.get("entityType", {}).get("S", "course") == "course" else None


def remove_user_rows(client: Any, tables: dict[str, str], sub: str, courses: Iterable[str] = ()) -> dict[str, Any]:
    """Delete user `sub`'s rows. `tables`: role (users|enrollments|progress|badges) → table name. Returns
    `{sub, deleted: [{table, PK, SK}], errors: [..]}`; never raises for a DynamoDB error (it is recorded)."""
    record: dict[str, Any] = {"sub": sub, "deleted": [], "errors": []}
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for role in ("users", "enrollments", "badges"):
            found[role] = _query(client, tables[role], f"USER#{sub}")
        known = {c for role in ("enrollments", "badges") for c in map(_course_of, found[role]) if c}
        found["progress"] = [
            item
            for course in sorted(known | set(courses))
            for item in _query(client, tables["progress"], f"USER#{sub}#COURSE#{course}")
        ]
        for role in ORDER:
            for item in found[role]:
                key = {"PK": item["PK"], "SK": item["SK"]}
                client.delete_item(TableName=tables[role], Key=key)
                record["deleted"].append({"table": tables[role], "PK": key["PK"]["S"], "SK": key["SK"]["S"]})
    except (BotoCoreError, ClientError, ReadOnlyViolation) as exc:
        record["errors"].append(describe_error(exc, "dynamodb"))
    return record


class UserCleanup:
    """The run's test users of this process and, at session end, the removal of their rows (aws, allow_writes).

    `track(user)` when a user is handed out, `signed_in(username, cookies)` once a sign-in produced session cookies
    (kept in memory only: the user id is read from `/auth/me` with them at the end), `finish()` at session end."""

    def __init__(self, env: Environment, run_dir: Path, *, enabled: bool, process: str = "main") -> None:
        self.env, self.run_dir, self.enabled, self.process = env, run_dir, enabled, process
        self.cookies: dict[str, dict[str, str]] = {}
        self.records: list[dict[str, Any]] = []

    def track(self, user: Any) -> Any:
        self.cookies.setdefault(user.username, {})
        return user

    def signed_in(self, username: str, cookies: dict[str, str]) -> None:
        self.cookies.setdefault(username, {}).update({k: v for k, v in cookies.items() if v})

    def _user_id(self, cookies: dict[str, str]) -> str:
        with HttpClient(self.env.required("api_base_url")) as http:
            me = http.get("/auth/me", cookies=cookies)
        body = me.json_or_none() if me.status == 200 else None
        user_id = body.get("userId") if isinstance(body, dict) else None
        if not isinstance(user_id, str) or not user_id or "#" in user_id:
            raise HarnessError(f"GET /auth/me answered {me.status} without a userId: cannot tell which rows are ours")
        return user_id

    def finish(self, aws: ReadOnlyAws) -> list[dict[str, Any]]:
        """Remove each signed-in user's rows; one evidence file per user under `evidence/_cleanup/`."""
        if not self.enabled:
            return []
        tables = {role: getattr(self.env.tables, role) for role in ORDER}
        evidence = Evidence(self.run_dir, CLEANUP_EVIDENCE)
        for index, cookies in enumerate(c for c in self.cookies.values() if c):
            try:
                sub = self._user_id(cookies)
                client = cleanup_client(aws, {name: role for role, name in tables.items()}, sub)
                record = remove_user_rows(client, tables, sub, courses=(self.env.content.course, *SMOKE_COURSES))
            except (HarnessError, TargetUnreachable, BotoCoreError, ClientError) as exc:
                record = {"sub": None, "deleted": [], "errors": [str(exc)]}
            self.records.append(record)
            evidence.attach_json(f"{self.process}-user-{index + 1}", record)
        return self.records
