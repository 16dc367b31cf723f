"""AWS describe snapshots (`<run_dir>/evidence/_aws/<service>.json`, written by checks/aws) as flat report rows.

Read defensively: a missing file, a service that recorded `errors`, or a field boto3 did not return yields
`None` and the document says "not collected (<check id> <status>)". Env var *values* are never read: only names.
The shape expected per service is described in docs/INTERFACES.md (section "Reports")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = Path("evidence") / "_aws"
SERVICES = ("cloudformation", "lambda", "dynamodb", "logs", "cloudwatch", "sns", "cognito", "apigatewayv2")


def load_snapshots(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Each readable snapshot by service; unreadable or non-object files are treated as absent."""
    loaded: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        try:
            data = json.loads((run_dir / SNAPSHOT_DIR / f"{service}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            loaded[service] = data
    return loaded


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


def _first(value: Any, *paths: tuple[str | int, ...]) -> Any:
    for path in paths:
        found = dig(value, *path)
        if found is not None:
            return found
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def stack_row(snap: Mapping[str, Any]) -> dict[str, Any] | None:
    stack = _first(snap, ("stack",), ("Stacks", 0))
    if not isinstance(stack, Mapping):
        return None
    return {
        "name": stack.get("StackName"),
        "status": stack.get("StackStatus"),
        "created": stack.get("CreationTime"),
        "last_updated": stack.get("LastUpdatedTime"),
        "drift": _first(snap, ("drift", "StackDriftStatus"), ("stack", "DriftInformation", "StackDriftStatus")),
    }


def _version_key(version: Any) -> int:
    return int(version) if str(version).isdigit() else -1


def lambda_row(snap: Mapping[str, Any]) -> dict[str, Any] | None:
    config = _first(snap, ("configuration",), ("Configuration",))
    if not isinstance(config, Mapping):
        return None
    aliases = {a.get("Name"): a for a in _list(snap.get("aliases")) if isinstance(a, Mapping)}
    live = dig(aliases, "live", "FunctionVersion")
    published = sorted(
        {str(v.get("Version")) for v in _list(snap.get("versions")) if isinstance(v, Mapping)} - {"$LATEST", "None"},
        key=_version_key,
    )
    older = [v for v in published if live is not None and _version_key(v) < _version_key(live)]
    names = snap.get("env_var_names")
    if not isinstance(names, list):  # fall back to the keys of the variables map; values are never touched
        names = list(dig(config, "Environment", "Variables") or {})
    return {
        "name": config.get("FunctionName"),
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "memory": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        "last_modified": config.get("LastModified"),
        "live_version": live,
        "previous_version": older[-1] if older else None,
        "published_versions": published,
        "env_var_names": sorted(str(n) for n in names),
    }


def _pitr_lag_s(latest: Any, reference: str) -> int | None:
    try:
        then = datetime.fromisoformat(str(latest).replace("Z", "+00:00"))
        now = datetime.fromisoformat(reference.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0, round((now - then).total_seconds()))


def table_rows(snap: Mapping[str, Any], reference_time: str) -> list[dict[str, Any]]:
    """One row per table; PITR lag is measured against `reference_time` (the run's finish, ISO)."""
    rows = []
    tables = snap.get("tables")
    for name, entry in sorted(tables.items()) if isinstance(tables, Mapping) else []:
        table = _first(entry, ("table",), ("Table",)) or {}
        backups = _first(entry, ("continuous_backups",), ("ContinuousBackupsDescription",)) or {}
        pitr = dig(backups, "PointInTimeRecoveryDescription") or {}
        latest = pitr.get("LatestRestorableDateTime")
        rows.append(
            {
                "name": name,
                "status": table.get("TableStatus"),
                "keys": ", ".join(
                    f"{k.get('AttributeName')} ({k.get('KeyType')})" for k in _list(table.get("KeySchema"))
                ),
                "gsis": ", ".join(
                    f"{g.get('IndexName')} {g.get('IndexStatus') or ''}".strip()
                    for g in _list(table.get("GlobalSecondaryIndexes"))
                ),
                "stream": dig(table, "StreamSpecification", "StreamViewType")
                if dig(table, "StreamSpecification", "StreamEnabled")
                else "off",
                "pitr": pitr.get("PointInTimeRecoveryStatus"),
                "latest_restorable": latest,
                "pitr_lag_s": _pitr_lag_s(latest, reference_time) if latest else None,
                "sse": dig(table, "SSEDescription", "Status") or "off",
                "billing": dig(table, "BillingModeSummary", "BillingMode"),
                "items": table.get("ItemCount"),
            }
        )
    return rows


def log_group_rows(snap: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups = _first(snap, ("log_groups",), ("logGroups",))
    ingestion = snap.get("last_ingestion") if isinstance(snap.get("last_ingestion"), Mapping) else {}
    return [
        {
            "name": g.get("logGroupName"),
            "retention": g.get("retentionInDays"),
            "last_ingestion": ingestion.get(g.get("logGroupName")),
        }
        for g in _list(groups)
        if isinstance(g, Mapping)
    ]


def alarm_rows(snap: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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
        for a in _list(_first(snap, ("metric_alarms",), ("MetricAlarms",)))
        if isinstance(a, Mapping)
    ]
    composite = [
        {
            "name": a.get("AlarmName"),
            "rule": a.get("AlarmRule"),
            "state": a.get("StateValue"),
            "actions": len(_list(a.get("AlarmActions"))),
        }
        for a in _list(_first(snap, ("composite_alarms",), ("CompositeAlarms",)))
        if isinstance(a, Mapping)
    ]
    return metric, composite


def dashboard_names(snap: Mapping[str, Any]) -> list[str]:
    entries = _first(snap, ("dashboards",), ("DashboardEntries",))
    return [str(d.get("DashboardName")) for d in _list(entries) if isinstance(d, Mapping)]


def sns_rows(snap: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for topic in _list(snap.get("topics")):
        if not isinstance(topic, Mapping):
            continue
        subs = [s for s in _list(topic.get("subscriptions")) if isinstance(s, Mapping)]
        confirmed = [s for s in subs if str(s.get("SubscriptionArn", "")).startswith("arn:")]
        rows.append({"topic": topic.get("TopicArn"), "subscriptions": len(subs), "confirmed": len(confirmed)})
    return rows


def cognito_row(snap: Mapping[str, Any]) -> dict[str, Any] | None:
    pool = _first(snap, ("user_pool",), ("UserPool",))
    client = _first(snap, ("client",), ("UserPoolClient",)) or {}
    if not isinstance(pool, Mapping):
        return None
    policy = dig(pool, "Policies", "PasswordPolicy") or {}
    return {
        "pool_id": pool.get("Id"),
        "pool_name": pool.get("Name"),
        "client_id": client.get("ClientId"),
        "client_name": client.get("ClientName"),
        "domain": _first(snap, ("domain", "Domain"), ("DomainDescription", "Domain")),
        "callback_urls": ", ".join(_list(client.get("CallbackURLs"))),
        "logout_urls": ", ".join(_list(client.get("LogoutURLs"))),
        "flows": ", ".join(_list(client.get("ExplicitAuthFlows")) + _list(client.get("AllowedOAuthFlows"))),
        "scopes": " ".join(_list(client.get("AllowedOAuthScopes"))),
        "policy": ", ".join(f"{k}={v}" for k, v in sorted(policy.items())),
        "mfa": pool.get("MfaConfiguration"),
    }


def api_row(snap: Mapping[str, Any]) -> dict[str, Any] | None:
    api = _first(snap, ("api",), ("Api",))
    if not isinstance(api, Mapping):
        return None
    cors = api.get("CorsConfiguration") or {}
    stage = next((s for s in _list(snap.get("stages")) if isinstance(s, Mapping)), {})
    settings = stage.get("DefaultRouteSettings") or {}
    return {
        "id": api.get("ApiId"),
        "endpoint": api.get("ApiEndpoint"),
        "routes": sorted(str(r.get("RouteKey")) for r in _list(snap.get("routes")) if isinstance(r, Mapping)),
        "cors": f"origins {', '.join(_list(cors.get('AllowOrigins')))}; credentials {cors.get('AllowCredentials')}",
        "throttling": f"burst {settings.get('ThrottlingBurstLimit')}, rate {settings.get('ThrottlingRateLimit')}",
    }
