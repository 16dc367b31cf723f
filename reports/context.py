"""The template context: everything a document shows, derived from results.json (plus files of the run directory:
AWS snapshots, transcript excerpts, screenshots). No count is taken from anywhere but results.json's checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from checks.catalog import load_catalog
from checks.vocabulary import AREAS, base_id, is_preflight
from reports import snapshots
from reports.checklist import ROLLBACK_TRIGGERS, checklist_sections, success_criteria
from reports.manifest import RESULTS_NAME, sha256_file
from reports.policy import (
    BLOCKING_SEVERITIES,
    build_facts,
    by_severity,
    decide,
    open_findings,
    severity_rank,
    waived_blocking,
    waived_line,
)
from reports.rollback import rollback_plan
from reports.status import check_status
from reports.verdicts import GO, NO_GO, label

EXCERPT_CHARS = 1500
EXCERPT_LINES = 30
# Which check vouches for each snapshot, to say why a section is empty.
SNAPSHOT_CHECKS = {
    "cloudformation": "infra.cfn.stack_status",
    "lambda": "infra.lambda.config",
    "dynamodb": "infra.dynamodb.tables",
    "logs": "infra.logs.group",
    "cloudwatch": "infra.alarms.definitions",
    "sns": "security.ops.alarm_actions",
    "dashboard": "security.ops.dashboard",
    "cognito": "infra.cognito.pool",
    "apigatewayv2": "infra.apigw.routes",
}
INFRA_VERDICT = {GO: "READY", NO_GO: "NOT READY"}


def load_results(run_dir: Path) -> tuple[dict[str, Any], str]:
    """results.json and its sha256; a missing or malformed file is one clear error."""
    path = run_dir / RESULTS_NAME
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"{path} does not exist: not a run directory") from exc
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(results, dict) or not {"run", "checks", "counts", "artifacts"} <= results.keys():
        raise ValueError(f"{path} lacks run/checks/counts/artifacts: not a results file")
    return results, sha256_file(path)


def _excerpt(run_dir: Path, check: Mapping[str, Any]) -> str:
    for rel in check.get("evidence") or []:
        path = run_dir / rel
        if rel.endswith(".txt") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")[:EXCERPT_CHARS]
            return "\n".join(text.splitlines()[:EXCERPT_LINES])
    return ""


def _screenshots(run_dir: Path, check: Mapping[str, Any]) -> list[str]:
    listed = {rel for rel in check.get("evidence") or [] if rel.endswith(".png") and (run_dir / rel).is_file()}
    folder = run_dir / "evidence" / str(check["id"])
    found = {p.relative_to(run_dir).as_posix() for p in folder.glob("*.png")} if folder.is_dir() else set()
    return sorted(listed | found)


def _timings(checks: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    areas = list(AREAS) + sorted({c["area"] for c in checks} - set(AREAS))
    rows = []
    for area in areas:
        durations = [int(c.get("duration_ms") or 0) for c in checks if c["area"] == area]
        rows.append(
            {"area": area, "checks": len(durations), "total_ms": sum(durations), "max_ms": max(durations or [0])}
        )
    return rows


def _snapshot_view(run_dir: Path, results: Mapping[str, Any], status_of: Any) -> dict[str, Any]:
    snaps = snapshots.load_snapshots(run_dir)
    finished = str(results["run"].get("finished_at") or results["run"].get("started_at") or "")
    cloudwatch = snaps.get("cloudwatch", {})
    metric, composite = snapshots.alarm_rows(cloudwatch)
    view = {
        "stack": snapshots.stack_row(snaps.get("cloudformation", {})),
        "lambda": snapshots.lambda_row(snaps.get("lambda", {})),
        "tables": snapshots.table_rows(snaps.get("dynamodb", {}), finished) or None,
        "logs": snapshots.log_group_rows(snaps.get("logs", {})) or None,
        "alarms": metric or None,
        "composites": composite,
        "sns": snapshots.sns_rows(snaps.get("sns", {})) or None,
        "dashboard": snapshots.dashboard_names(cloudwatch) or None,
        "cognito": snapshots.cognito_row(snaps.get("cognito", {})),
        "api": snapshots.api_row(snaps.get("apigatewayv2", {})),
        "errors": {svc: snap.get("errors") for svc, snap in snaps.items() if snap.get("errors")},
    }
    key_to_service = {
        "stack": "cloudformation",
        "lambda": "lambda",
        "tables": "dynamodb",
        "logs": "logs",
        "alarms": "cloudwatch",
        "sns": "sns",
        "dashboard": "dashboard",
        "cognito": "cognito",
        "api": "apigatewayv2",
    }
    view["missing"] = {
        key: f"not collected ({SNAPSHOT_CHECKS[svc]} {status_of(SNAPSHOT_CHECKS[svc])})"
        for key, svc in key_to_service.items()
    }
    return view


def _is_infra(check_id: str) -> bool:
    return check_id.startswith(("infra.", "security.ops."))


def _infra_verdict(
    checks: list[Mapping[str, Any]], environment: Mapping[str, Any], catalog: Mapping[str, Any], run: Mapping[str, Any]
) -> str:
    """The same policy over the infra and `security.ops` checks and their own reference set only."""
    subset = [c for c in checks if _is_infra(base_id(c))]
    infra_catalog = {cid: spec for cid, spec in catalog.items() if _is_infra(cid)}
    decision = decide(build_facts(subset, {**environment, "required_areas": []}, infra_catalog, run))
    return INFRA_VERDICT.get(decision.verdict, "INCONCLUSIVE")


def _did_not_run(run: Mapping[str, Any], catalog: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The reference checks a partial run has no result for, shaped like check dicts for the templates."""
    ids = ((run.get("partial") or {}).get("ids")) or []
    return [
        {
            "id": cid,
            "severity": getattr(catalog.get(cid), "severity", "?"),
            "title": getattr(catalog.get(cid), "display_title", cid),
        }
        for cid in ids
    ]


def _confirmation_note(run: Mapping[str, Any]) -> str:
    """Why `production-deployment-confirmation.md` was not written (empty when it was)."""
    if run.get("verdict") != GO:
        return f"not written: the verdict is {run.get('verdict') or '<none>'} (written only on GO)"
    if run.get("partial"):
        return f"not written: {run['partial']['line']} (a partial or interrupted run is never confirmed)"
    if (run.get("scope") or "full") != "full":
        return (
            f"not written: a {run.get('scope')} scope run is a post-deploy/post-rollback check, "
            "not a full verification (run the full scope to confirm a deployment)"
        )
    return ""


def build_context(run_dir: Path, results: dict[str, Any], results_sha: str) -> dict[str, Any]:
    catalog = load_catalog()
    checks: list[dict[str, Any]] = results["checks"]
    environment: dict[str, Any] = results.get("environment") or {}
    run: dict[str, Any] = results["run"]

    def status_of(check_id: str) -> str:
        return check_status(checks, check_id)

    for check in checks:
        check["excerpt"] = _excerpt(run_dir, check) if check["status"] in ("failed", "error") else ""
        check["screenshots"] = _screenshots(run_dir, check)
    failed = [c for c in checks if c["status"] == "failed"]
    # Findings are grouped by their real severity everywhere: a high warning is a high finding.
    findings = open_findings(checks)
    snaps = _snapshot_view(run_dir, results, status_of)
    return {
        "run": run,
        "verdict_label": label(str(run.get("verdict", "")), str(run.get("scope") or "full")),
        "partial": run.get("partial"),
        "did_not_run": _did_not_run(run, catalog),
        "confirmation_note": _confirmation_note(run),
        "results_sha256": results_sha,
        "checks": checks,
        "counts": results["counts"],
        "environment": environment,
        "environment_yaml": yaml.safe_dump(environment, sort_keys=True, allow_unicode=True).rstrip(),
        "versions": results.get("versions") or {},
        "baseline": results.get("baseline"),
        "artifacts": [a for a in results["artifacts"] if (run_dir / a["path"]).is_file()],
        "areas": [(area, [c for c in checks if c["area"] == area]) for area in results["counts"]["by_area_status"]],
        "failures": [c for c in checks if c["status"] in ("failed", "error")],
        "critical_high": sorted(
            (
                c
                for c in checks
                if c["severity"] in BLOCKING_SEVERITIES and c["status"] in ("failed", "warning", "waived")
            ),
            key=severity_rank,
        ),
        "open_findings": findings,
        "open_by_severity": by_severity(findings),
        "waived_blocking": [{"check": c, "line": waived_line(c)} for c in waived_blocking(checks)],
        "known": [c for c in checks if c.get("known")],
        "waived": [c for c in checks if c.get("waiver")],
        "not_run": [c for c in checks if c["status"] in ("skipped", "blocked")],
        "blockers": [c for c in checks if is_preflight(base_id(c)) and c["status"] != "passed"],
        "recommendations": [
            {
                "id": c["id"],
                "severity": c["severity"],
                "remediation": getattr(catalog.get(base_id(c)), "remediation", "").strip()
                or "(no remediation text in the catalog)",
            }
            for c in failed
        ],
        "endpoint_probes": [c for c in checks if c["area"] == "api" or is_preflight(base_id(c))],
        "infra_checks": [c for c in checks if _is_infra(base_id(c))],
        "timings": _timings(checks),
        "aws": snaps,
        "infra_verdict": _infra_verdict(checks, environment, catalog, run),
        "checklist": checklist_sections(environment),
        "success_criteria": success_criteria(),
        "rollback_triggers": ROLLBACK_TRIGGERS,
        "rollback": rollback_plan(environment, snaps["lambda"]),
        "status_of": status_of,
    }
