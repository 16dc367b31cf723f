"""Read-only boto3 access for the infra checks: one session, cached clients, and a guard that refuses writes.

Every client made here carries a botocore `before-parameter-build` hook that raises `ReadOnlyViolation` for any
operation that is not a Describe/Get/List call (or one of the few read-only exceptions below), before a request
is even built. The harness is pointed at production accounts; a write by mistake must be impossible, not unlikely.
The reads that return a secret's value (SSM GetParameter*, Secrets Manager GetSecretValue) are refused the same
way: the checks prove a secret is stored by reference from its metadata (Describe*), never by reading it.

One narrow exception, on a separate client only (`cleanup_client`, used by checks.aws.cleanup after a run on aws):
an unconditional DynamoDB DeleteItem of the test user's own rows in the env's four tables (`check_cleanup_delete`
refuses any other table, key or parameter). The checks' own clients never get it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

from checks.aws.calls import CLEANUP, RECORDER
from checks.errors import ReadOnlyViolation

__all__ = [
    "READ_ONLY_EXCEPTIONS",
    "SECRET_VALUE_READS",
    "AwsAccessError",
    "ReadOnlyAws",
    "ReadOnlyViolation",
    "check_cleanup_delete",
    "cleanup_client",
    "describe_error",
]

READ_PREFIXES = ("Describe", "Get", "List")
# Read-only operations whose names do not start with one of the prefixes above.
READ_ONLY_EXCEPTIONS = frozenset({"FilterLogEvents", "Query"})
# Reads that hand back a secret's value: refused although their names start with Get.
SECRET_VALUE_READS = frozenset(
    {
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
    }
)
# Dummy credentials for the local moto server: never real ones, so a mis-pointed local run cannot touch AWS.
_LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class AwsAccessError(RuntimeError):
    """Collecting data failed for a reason worth one line (endpoint down, no credentials, access denied)."""


def _refuse_writes(model: Any, **_: Any) -> None:
    name = model.name
    service = model.service_model.service_name
    if f"{service}:{name}" in SECRET_VALUE_READS:
        raise ReadOnlyViolation(
            f"refused {service}:{name}: the infra checks never read a secret's value (its metadata: Describe*)"
        )
    if name.startswith(READ_PREFIXES) or name in READ_ONLY_EXCEPTIONS:
        return
    raise ReadOnlyViolation(
        f"refused {service}:{name}: the infra checks are read-only (only Describe*/Get*/List* and "
        f"{', '.join(sorted(READ_ONLY_EXCEPTIONS))} are allowed)"
    )


def _owned_key(role: str, key: Any, sub: str) -> bool:
    """Whether a DynamoDB key is one of user `sub`'s own rows (SPEC §4: PK `USER#<sub>`, progress
    `USER#<sub>#COURSE#<course>`)."""
    if not isinstance(key, dict) or set(key) != {"PK", "SK"}:
        return False
    pk, sk = key["PK"], key["SK"]
    if not (isinstance(pk, dict) and isinstance(sk, dict) and set(pk) == {"S"} and set(sk) == {"S"}):
        return False
    if role == "progress":
        course = pk["S"].removeprefix(f"USER#{sub}#COURSE#")
        return course != pk["S"] and bool(course) and "#" not in course
    return pk["S"] == f"USER#{sub}"


def check_cleanup_delete(params: Any, tables: dict[str, str], sub: str) -> None:
    """The one write exception (issue 8 cleanup): an unconditional DeleteItem of one of user `sub`'s own rows in
    one of the env's four tables (`tables`: table name → role). Anything else raises ReadOnlyViolation."""
    if not sub or "#" in sub:
        raise ReadOnlyViolation(f"refused dynamodb:DeleteItem: {sub!r} is not a user id")
    table = params.get("TableName") if isinstance(params, dict) else None
    if table not in tables:
        raise ReadOnlyViolation(f"refused dynamodb:DeleteItem on {table!r}: not one of the env's tables")
    extra = sorted(set(params) - {"TableName", "Key"})
    if extra:
        raise ReadOnlyViolation(f"refused dynamodb:DeleteItem with {extra}: only TableName and Key are allowed")
    if not _owned_key(tables[table], params.get("Key"), sub):
        raise ReadOnlyViolation(f"refused dynamodb:DeleteItem on {table}: the key is not one of the test user's rows")


class ReadOnlyAws:
    """A boto3 session for one environment whose clients can only read.

    >>> aws = ReadOnlyAws(region="us-west-2", endpoint_url="http://127.0.0.1:5000")  # doctest: +SKIP
    >>> aws.client("dynamodb").describe_table(TableName="hedgehog-learn-users-local")  # doctest: +SKIP
    """

    def __init__(self, *, region: str, endpoint_url: str | None = None, profile: str | None = None) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.profile = profile
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._session: boto3.Session | None = None

    @property
    def where(self) -> str:
        """The endpoint the clients talk to, for error messages."""
        return self.endpoint_url or f"AWS {self.region}" + (f" (profile {self.profile})" if self.profile else "")

    def _make_session(self) -> boto3.Session:
        if self.endpoint_url:
            # Local: never read ~/.aws, so a developer's real profile cannot leak into a sandbox run.
            return boto3.Session(region_name=self.region, **_LOCAL_CREDENTIALS)
        try:
            return boto3.Session(region_name=self.region, profile_name=self.profile or None)
        except ProfileNotFound as exc:
            raise AwsAccessError(f"AWS profile not found: {self.profile}") from exc

    def client(self, service: str) -> Any:
        """A cached, read-only client (boto3 clients are thread-safe; the Session that makes them is not)."""
        with self._lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = self._make_session()
                session = self._session
                client = _created_despite_env_churn(
                    lambda: session.client(
                        service,
                        endpoint_url=self.endpoint_url,
                        config=Config(
                            retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=20
                        ),
                    )
                )
                client.meta.events.register("before-parameter-build", _refuse_writes)
                RECORDER.attach(client)  # names and counts only: aws-calls.json, the least-privilege proof
                self._clients[service] = client
            return self._clients[service]


def _created_despite_env_churn(create: Callable[[], Any], attempts: int = 3) -> Any:
    """`create()`, retried when it raised KeyError: botocore reads the proxy settings by iterating `os.environ`
    (urllib's `getproxies_environment`), and pytest deletes `PYTEST_CURRENT_TEST` on the main thread while the infra
    snapshot creates clients on its collector threads; the lost race is a KeyError for that key."""
    for _ in range(attempts - 1):
        try:
            return create()
        except KeyError:
            continue  # the environment changed under the iteration: a fresh read sees a consistent one
    return create()


def cleanup_client(aws: ReadOnlyAws, tables: dict[str, str], sub: str) -> Any:
    """A DynamoDB client for removing the test user `sub`'s own rows after a run: reads as usual, DeleteItem only
    as `check_cleanup_delete` allows, every other write refused. Never cached, never shared with the checks."""
    with aws._lock:
        if aws._session is None:
            aws._session = aws._make_session()
        client = aws._session.client(
            "dynamodb",
            endpoint_url=aws.endpoint_url,
            config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=20),
        )

    def guard(model: Any, params: Any = None, **_: Any) -> None:
        if model.name == "DeleteItem":
            check_cleanup_delete(params, tables, sub)
            return
        _refuse_writes(model)

    client.meta.events.register("before-parameter-build", guard)
    RECORDER.attach(client, scope=CLEANUP)
    return client


def describe_error(exc: BaseException, where: str) -> str:
    """One line for a collection failure: what went wrong, never a traceback and never a credential."""
    if isinstance(exc, EndpointConnectionError):
        return f"AWS endpoint unreachable: {where}"
    if isinstance(exc, NoCredentialsError):
        return f"no AWS credentials for {where}"
    if isinstance(exc, NoRegionError):
        return "no AWS region configured"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "?")
        return f"{operation}: {error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
    if isinstance(exc, (AwsAccessError, ReadOnlyViolation)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
