"""AWS describe snapshots (`<run_dir>/evidence/_aws/<service>.json`, written by checks/aws) as flat report rows.

Read defensively: a missing file, a service that recorded `errors`, or a field boto3 did not return yields
`None` and the document says "not collected (<check id> <status>)". Env var *values* are never read: only names.
The shape per service is checks/aws/schema.py's (docs/INTERFACES.md, section "Reports", describes it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from checks.aws.schema import (
    ApiGatewayV2Data,
    CloudFormationData,
    CloudWatchData,
    CognitoData,
    DynamoDBData,
    LambdaData,
    LogsData,
    Sections,
    SnsData,
    SqsData,
    Stage,
)

T = TypeVar("T", bound=Mapping[str, object])

SNAPSHOT_DIR = Path("evidence") / "_aws"
SERVICES = ("cloudformation", "lambda", "dynamodb", "logs", "cloudwatch", "sns", "cognito", "apigatewayv2", "sqs")


def load_snapshots(run_dir: Path) -> Sections:
    """Each readable snapshot by service; unreadable or non-object files are treated as absent."""
    loaded: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        try:
            data = json.loads((run_dir / SNAPSHOT_DIR / f"{service}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            loaded[service] = data
    # Our own files: typed by the schema, and read defensively below all the same (an older run's may differ).
    return cast(Sections, loaded)


def errors_by_service(snaps: Sections) -> dict[str, Any]:
    """The `errors` of each loaded section that recorded any."""
    sections: Mapping[str, object] = snaps
    return {svc: s.get("errors") for svc, s in sections.items() if isinstance(s, Mapping) and s.get("errors")}


def dig(value: Any, *path: str | int) -> Any:
    """`value[path0][path1]...`, or None as soon as a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: T | None) -> T:
    """`value` if the collector recorded a map there, else an empty one (a failed item is None)."""
    # The cast: every shape read here has only optional keys, so {} is one of its values.
    return value if isinstance(value, Mapping) else cast(T, {})


def _values(value: Mapping[str, T | None] | Sequence[T | None] | None) -> list[T]:
    """Items of a name-keyed map (or a list), skipping entries the collector recorded as None."""
    items: Iterable[T | None] = value.values() if isinstance(value, Mapping) else _list(value)
    return [item for item in items if isinstance(item, Mapping)]


def _iso_from_ms(value: Any) -> str | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stack_row(snap: CloudFormationData) -> dict[str, Any] | None:
    stack = snap.get("stack")
    if not isinstance(stack, Mapping):
        return None
    return {
        "name": stack.get("StackName"),
        "status": stack.get("StackStatus"),
        "created": stack.get("CreationTime"),
        "last_updated": stack.get("LastUpdatedTime"),
        "drift": dig(stack, "DriftInformation", "StackDriftStatus"),
    }


def _version_key(version: Any) -> int:
    return int(version) if str(version).isdigit() else -1


def lambda_row(snap: LambdaData) -> dict[str, Any] | None:
    config = snap.get("function")
    if not isinstance(config, Mapping):
        return None
    live = next((a.get("FunctionVersion") for a in _values(snap.get("aliases")) if a.get("Name") == "live"), None)
    versions = [v.get("Version") if isinstance(v, Mapping) else v for v in _list(snap.get("versions"))]
    published = sorted({str(v) for v in versions if str(v).isdigit()}, key=_version_key)
    older = [v for v in published if live is not None and _version_key(v) < _version_key(live)]
    return {
        "name": config.get("FunctionName"),
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "memory": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        "last_modified": config.get("LastModified"),
        "live_version": live,
        "previous_version": older[-1] if older else None,
        "env_var_names": sorted(str(n) for n in _list(dig(config, "Environment", "names"))),
    }


def _pitr_lag_s(latest: Any, reference: str) -> int | None:
    try:
        then = datetime.fromisoformat(str(latest).replace("Z", "+00:00"))
        now = datetime.fromisoformat(reference.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0, round((now - then).total_seconds()))


def table_rows(snap: DynamoDBData, reference_time: str) -> list[dict[str, Any]]:
    """One row per env table (role → name); PITR lag is measured against `reference_time` (the run's finish)."""
    names = _mapping(snap.get("names"))
    tables = _mapping(snap.get("tables"))
    rows = []
    for role in sorted(set(names) | set(tables)):
        table = _mapping(tables.get(role))
        pitr = _mapping(table.get("PointInTimeRecovery"))
        latest = pitr.get("LatestRestorableDateTime")
        stream_on = dig(table, "StreamSpecification", "StreamEnabled")
        rows.append(
            {
                "name": table.get("TableName") or names.get(role),
                "status": table.get("TableStatus") or "not described",
                "keys": ", ".join(
                    f"{k.get('AttributeName')} ({k.get('KeyType')})" for k in _values(table.get("KeySchema"))
                ),
                "gsis": ", ".join(
                    f"{g.get('IndexName')} {g.get('IndexStatus') or ''}".strip()
                    for g in _values(table.get("GlobalSecondaryIndexes"))
                ),
                "stream": dig(table, "StreamSpecification", "StreamViewType") if stream_on else "off",
                "pitr": pitr.get("PointInTimeRecoveryStatus"),
                "latest_restorable": latest,
                "pitr_lag_s": _pitr_lag_s(latest, reference_time) if latest else None,
                "sse": dig(table, "SSEDescription", "Status") or "off",
                "billing": dig(table, "BillingModeSummary", "BillingMode"),
                "items": table.get("ItemCount"),
            }
        )
    return rows


def log_group_rows(snap: LogsData) -> list[dict[str, Any]]:
    group = snap.get("group")
    if not isinstance(group, Mapping):
        return []
    stamps = [v for v in (snap.get("recent_event_ms"), snap.get("last_stream_event_ms")) if isinstance(v, int | float)]
    return [
        {
            "name": group.get("logGroupName"),
            "retention": group.get("retentionInDays"),
            "last_ingestion": _iso_from_ms(max(stamps)) if stamps else None,
        }
    ]


def alarm_rows(snap: CloudWatchData) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    metric = [
        {
            "name": a.get("AlarmName"),
            "metric": f"{a.get('Namespace')} {a.get('MetricName')}",
            "stat": a.get("Statistic") or a.get("ExtendedStatistic"),
            "period": a.get("Period"),
            "eval": a.get("EvaluationPeriods"),
            "threshold": a.get("Threshold"),
            "operator": a.get("ComparisonOperator"),
            "missing": a.get("TreatMissingData"),
            "state": a.get("StateValue"),
            "actions": len(_list(a.get("AlarmActions"))),
        }
        for a in _values(snap.get("alarms"))
    ]
    composite = [
        {
            "name": a.get("AlarmName"),
            "rule": a.get("AlarmRule"),
            "state": a.get("StateValue"),
            "actions": len(_list(a.get("AlarmActions"))),
        }
        for a in _values(snap.get("composite_alarms"))
    ]
    return metric, composite


def dashboard_names(snap: CloudWatchData) -> list[str]:
    name = dig(snap, "dashboard", "DashboardName")
    return [str(name)] if name else []


def sns_rows(snap: SnsData) -> list[dict[str, Any]]:
    arn = dig(snap, "topic", "TopicArn")
    if not arn:
        return []
    subs = _values(snap.get("subscriptions"))
    return [{"topic": arn, "subscriptions": len(subs), "confirmed": sum(1 for s in subs if s.get("confirmed") is True)}]


def cognito_row(snap: CognitoData) -> dict[str, Any] | None:
    pool = snap.get("pool")
    if not isinstance(pool, Mapping):
        return None
    client = _mapping(snap.get("client"))
    domain = _mapping(snap.get("domain"))
    policy = dig(pool, "Policies", "PasswordPolicy") or {}
    return {
        "pool_id": pool.get("Id"),
        "pool_name": pool.get("Name"),
        "client_id": client.get("ClientId"),
        "client_name": client.get("ClientName"),
        "domain": f"{domain.get('Domain')} ({domain.get('Status')})" if domain else None,
        "callback_urls": ", ".join(_list(client.get("CallbackURLs"))),
        "logout_urls": ", ".join(_list(client.get("LogoutURLs"))),
        "flows": ", ".join(_list(client.get("ExplicitAuthFlows")) + _list(client.get("AllowedOAuthFlows"))),
        "scopes": " ".join(_list(client.get("AllowedOAuthScopes"))),
        "policy": ", ".join(f"{k}={v}" for k, v in sorted(policy.items())),
        "mfa": pool.get("MfaConfiguration"),
    }


def api_row(snap: ApiGatewayV2Data) -> dict[str, Any] | None:
    api = snap.get("api")
    if not isinstance(api, Mapping):
        return None
    cors = api.get("CorsConfiguration") or {}
    stage: Stage = next(iter(_values(snap.get("stages"))), None) or {}
    settings = stage.get("DefaultRouteSettings") or {}
    return {
        "id": api.get("ApiId"),
        "endpoint": api.get("ApiEndpoint"),
        "routes": sorted(str(r.get("RouteKey")) for r in _values(snap.get("routes"))),
        "cors": f"origins {', '.join(_list(cors.get('AllowOrigins')))}; credentials {cors.get('AllowCredentials')}",
        "throttling": f"burst {settings.get('ThrottlingBurstLimit')}, rate {settings.get('ThrottlingRateLimit')}",
    }


def crm_consumer_view(lambda_snap: LambdaData, sqs_snap: SqsData) -> dict[str, Any] | None:
    """The CRM sync consumer (SPEC §6 second wave): its function, one row per table-stream mapping and its DLQ
    depth; None when the run did not collect it (CRM off, or the lambda section missing)."""
    crm = lambda_snap.get("crm")
    if not isinstance(crm, Mapping):
        return None
    function = lambda_row({"function": crm.get("function"), "aliases": crm.get("aliases")})
    mappings = []
    for role, listed in (crm.get("mappings") or {}).items():
        for m in _values(listed) or [{}]:
            mappings.append(
                {
                    "table": role,
                    "state": m.get("State") or "none",
                    "batch": m.get("BatchSize"),
                    "window_s": m.get("MaximumBatchingWindowInSeconds"),
                    "partial": "ReportBatchItemFailures" in _list(m.get("FunctionResponseTypes")),
                    "bisect": m.get("BisectBatchOnFunctionError"),
                    "retries": m.get("MaximumRetryAttempts"),
                    "on_failure": str(dig(m, "DestinationConfig", "OnFailure", "Destination") or "none"),
                }
            )
    queues = [
        {
            "name": q.get("QueueName"),
            "visible": q.get("ApproximateNumberOfMessages"),
            "in_flight": q.get("ApproximateNumberOfMessagesNotVisible"),
        }
        for q in (sqs_snap.get("queues") or {}).values()
        if isinstance(q, Mapping)
    ]
    return {"name": crm.get("function_name"), "function": function, "mappings": mappings, "queues": queues}
