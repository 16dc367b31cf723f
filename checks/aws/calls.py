"""Which AWS API calls a run made: (service, operation) with a count, mapped to the IAM action each one needs.

Every client made by `checks.aws.session` carries `RECORDER`'s botocore `before-call` handler (once per API call, after
the read-only guard: a refused call is never sent, so never recorded). Only names and counts are kept, never a
parameter or a value. Each call is attributed to the catalog `writes` kind of the check running at the time (`none`,
`user`, `fault`), to `session` outside any check (the run identity at the end) or to `cleanup` (the test-user
cleanup's client): a read-only env (`allow_writes: false`) runs only the `none` checks, so their calls and the
session's are what `iam/harness-read-only.json` must allow.

>>> RECORDER.attach(client)                                       # doctest: +SKIP
>>> with RECORDER.within("none", "infra.dynamodb.tables"): ...     # doctest: +SKIP
>>> write_calls(run_dir / CALLS_NAME, RECORDER.rows(), run_id="local-...")  # doctest: +SKIP
"""

from __future__ import annotations

import contextvars
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CALLS_NAME",
    "READ_ONLY_SCOPES",
    "RECORDER",
    "CallRecorder",
    "IamAction",
    "iam_action",
    "merge_rows",
    "read_calls",
    "write_calls",
]

CALLS_NAME = "aws-calls.json"
# The scopes a read-only env runs: checks that write nothing, and the session itself (run identity).
READ_ONLY_SCOPES = frozenset({"none", "session"})
SESSION, CLEANUP = "session", "cleanup"

# boto3 service name → IAM service prefix, where the two differ.
_IAM_PREFIX = {"apigatewayv2": "apigateway"}
# Calls that no IAM policy can allow or deny (STS answers GetCallerIdentity for any valid credentials).
_NO_PERMISSION = frozenset({("sts", "GetCallerIdentity")})
# Lambda's wire names carry the API version (CloudTrail: GetFunction20150331v2); its IAM actions do not.
_LAMBDA_VERSION = re.compile(r"(?<=[a-z])20\d{6}(v\d+)?$")


@dataclass(frozen=True)
class IamAction:
    """The IAM action one call needs (None: none needed) and, for API Gateway, the resource path it is checked on."""

    action: str | None
    resource: str | None = None  # `/apis/{apiId}/stages`: a path template from the service model, never a value


def iam_action(service: str, operation: str, http: Mapping[str, Any] | None = None) -> IamAction:
    """The IAM action of `service`'s `operation`. API Gateway v2 (HTTP APIs) is authorised by HTTP method on the
    resource path (`apigateway:GET` on `arn:aws:apigateway:<region>::/apis/...`): `http` is the operation model's
    `http` section (`method`, `requestUri`), required for that service."""
    if (service, operation) in _NO_PERMISSION:
        return IamAction(None)
    if service == "apigatewayv2":
        if not http or "method" not in http or "requestUri" not in http:
            raise ValueError(f"apigatewayv2:{operation}: the operation's HTTP method and path are needed")
        path = str(http["requestUri"]).split("?", 1)[0].removeprefix("/v2")
        return IamAction(f"apigateway:{str(http['method']).upper()}", path)
    if service == "lambda":
        operation = _LAMBDA_VERSION.sub("", operation)
    return IamAction(f"{_IAM_PREFIX.get(service, service)}:{operation}")


class CallRecorder:
    """Counts of (service, operation, scope, check) for this process; thread-safe. The scope is a context variable:
    work handed to a thread pool with its context (the infra snapshot's collectors) stays the starting check's even
    when it finishes during the next one; a bare thread (the run identity at the end) is the session's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str, str]] = Counter()
        self._http: dict[tuple[str, str], dict[str, str]] = {}
        self._scope: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("hhl_aws_scope")

    @contextmanager
    def within(self, writes: str, check: str) -> Iterator[None]:
        """Attribute the calls made meanwhile (in this context) to `check`, of catalog `writes` kind."""
        token = self._scope.set((writes, check))
        try:
            yield
        finally:
            self._scope.reset(token)

    def record(self, model: Any, scope: str | None = None) -> None:
        """Count one call of botocore operation `model`; `scope` overrides the current one (the cleanup client)."""
        key = (model.service_model.service_name, model.name)
        writes, check = (scope, "") if scope else self._scope.get((SESSION, ""))
        with self._lock:
            self._counts[(*key, writes, check)] += 1
            if key not in self._http:
                http = model.http or {}
                self._http[key] = {k: str(http[k]) for k in ("method", "requestUri") if k in http}

    def attach(self, client: Any, scope: str | None = None) -> None:
        """Record every call `client` makes (a botocore `before-call` handler on its own event system)."""

        def on_call(model: Any, **_: Any) -> None:
            self.record(model, scope)

        # `before-call.*.*`, not `before-call`: botocore calls the more specific registrations first, and the first
        # handler to return a response (a Stubber's) ends the emit. A unique id: a second attach counts nothing twice.
        client.meta.events.register("before-call.*.*", on_call, unique_id=f"hhl-calls-{id(self)}")

    def rows(self) -> list[dict[str, Any]]:
        """This process's calls, one row per (service, operation); see `merge_rows` for the shape."""
        with self._lock:
            counts, http = dict(self._counts), dict(self._http)
        return merge_rows([_row(key, count, http.get(key[:2])) for key, count in counts.items()])

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._http.clear()


def _row(key: tuple[str, str, str, str], count: int, http: Mapping[str, str] | None) -> dict[str, Any]:
    service, operation, writes, check = key
    mapped = iam_action(service, operation, http)
    return {
        "service": service,
        "operation": operation,
        "action": mapped.action,
        "resource": mapped.resource,
        "count": count,
        "by_scope": {writes: count},
        "checks": [check] if check else [],
    }


def merge_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of any number of processes as one row per (service, operation): `count` and `by_scope` summed, `checks`
    united; sorted by service and operation."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (str(row["service"]), str(row["operation"]))
        into = merged.setdefault(key, {**row, "count": 0, "by_scope": {}, "checks": []})
        into["count"] += int(row["count"])
        for scope, count in row.get("by_scope", {}).items():
            into["by_scope"][scope] = into["by_scope"].get(scope, 0) + int(count)
        into["checks"] = sorted(set(into["checks"]) | set(row.get("checks", [])))
    return [{**merged[key], "by_scope": dict(sorted(merged[key]["by_scope"].items()))} for key in sorted(merged)]


def write_calls(path: Path, rows: list[dict[str, Any]], *, run_id: str, processes: Iterable[str] = ()) -> Path:
    document = {
        "run_id": run_id,
        "about": "every AWS API call this run made, as names and counts only (no parameter, no value)",
        "processes": sorted(processes),
        "total": sum(int(r["count"]) for r in rows),
        "calls": rows,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def read_calls(path: Path) -> list[dict[str, Any]]:
    """The rows of an `aws-calls.json` (or of one process's part of it)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    calls = document.get("calls") if isinstance(document, dict) else None
    if not isinstance(calls, list):
        raise ValueError(f"{path}: not an aws-calls document (no `calls` list)")
    return calls


RECORDER = CallRecorder()  # the process's recorder: every client of checks.aws.session reports to it
