"""The template context: everything a document shows, derived from results.json (plus files of the run directory:
AWS snapshots, transcript excerpts, screenshots). No count is taken from anywhere but results.json's checks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from checks.catalog import load_catalog
from checks.vocabulary import AREAS, base_id, is_preflight
from reports import snapshots
from reports.checklist import ROLLBACK_TRIGGERS, checklist_sections, success_criteria
from reports.loadplot import PLOT_PATH
from reports.manifest import MANIFEST_NAME, RESULTS_NAME, sha256_file
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

EXCERPT_LINES = 30
EXCERPT_BODY_LINES = 8
EXCERPT_LINE_CHARS = 220
DIFF_ROWS = 12
EXCERPTS = 3
DIFF_VALUE_CHARS = 240
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
    "crm": "infra.crmsync.function",
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


_TRANSCRIPT = re.compile(r"^(?P<n>\d+)-[A-Z]+-.*\.txt$")
_SKIP_KEYS = frozenset(("notes",))


def diff_rows(expected: Any, actual: Any) -> list[dict[str, Any]]:
    """The expected/actual keys that differ (nested dicts as dotted keys; `notes` left out): what a finding is
    about, instead of two long values cut before the key that matters."""
    rows: list[dict[str, Any]] = []

    def walk(prefix: str, exp: Any, act: Any) -> None:
        if isinstance(exp, Mapping) and isinstance(act, Mapping):
            for key in list(exp) + [k for k in act if k not in exp]:
                if key in _SKIP_KEYS and not prefix:
                    continue
                walk(f"{prefix}.{key}" if prefix else str(key), exp.get(key, _MISSING), act.get(key, _MISSING))
        elif exp != act:
            rows.append({"key": prefix or "value", "expected": exp, "actual": act})

    if expected is None and actual is None:
        return rows
    walk("", expected, actual)
    # Keys only the actual value has are context (what else the check saw), not a difference, unless they are all
    # there is to show.
    stated = [r for r in rows if r["expected"] is not _MISSING]
    if expected is not None and stated:
        rows = stated
    if expected is None:
        # Nothing stated as expected: the actual values are the finding.
        return [{"key": r["key"], "expected": _MISSING, "actual": r["actual"]} for r in rows]
    return rows


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"

    def __str__(self) -> str:
        return "(absent)"


_MISSING: Any = _Missing()


def _strings(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if isinstance(value, str) else []


def _needles(rows: list[dict[str, Any]]) -> list[str]:
    """Distinctive strings of the differing actual values: a URL, its host+path, a status line, a quoted body."""
    needles: list[str] = []
    for row in rows:
        actual = row["actual"]
        if isinstance(actual, int) and not isinstance(actual, bool) and 100 <= actual <= 599:
            needles.append(f"HTTP/1.1 {actual}")
        for text in _strings(actual):
            text = text.strip()
            if len(text) < 4:
                continue
            needles.append(text[:200])
            parts = urlsplit(text) if "://" in text else None
            if parts and parts.netloc:
                needles.append(parts.netloc + parts.path)
                needles.append(parts.netloc)
                if len(parts.path) >= 4:
                    needles.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            needles += [q[:120] for q in re.findall(r"'([^']{6,})'", text)]
            status = re.match(r"^([1-5]\d\d) ", text)
            if status:
                needles.append(f"HTTP/1.1 {status.group(1)}")
    return list(dict.fromkeys(needles))


def transcripts_of(run_dir: Path, check: Mapping[str, Any]) -> list[str]:
    """The check's HTTP transcripts (`NN-<METHOD>-<path>.txt`) in the order they were made; other text files
    (notes, the SENSITIVE trace notice) are not transcripts."""
    found = []
    for rel in check.get("evidence") or []:
        match = _TRANSCRIPT.match(rel.rsplit("/", 1)[-1])
        if match and (run_dir / rel).is_file():
            found.append((int(match["n"]), rel))
    return [rel for _, rel in sorted(found)]


def _split(text: str) -> tuple[str, str]:
    """(request part, response part) of a transcript."""
    index = text.find("\n< ")
    return (text, "") if index < 0 else (text[:index], text[index:])


def _best(texts: dict[str, tuple[str, str]], needles: list[str]) -> tuple[str, list[str]]:
    """The transcript scoring highest for `needles` (the latest on a tie) and the needles it holds; ("", [])."""
    frequency = {n: sum(1 for req, resp in texts.values() if n in req or n in resp) for n in needles}
    best, best_score = "", 0.0
    best_hits: list[str] = []
    for rel, (request, response) in texts.items():
        score = 0.0
        hits: list[str] = []
        for needle in needles:
            if frequency[needle]:
                weight = (2.0 if needle in response else 1.0 if needle in request else 0.0) / frequency[needle]
                if weight:
                    score, hits = score + weight, [*hits, needle]
        if score > 0 and score >= best_score:
            best, best_score, best_hits = rel, score, hits
    return best, best_hits


def failing_transcripts(run_dir: Path, check: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """For each differing key, the transcript whose exchange the assertion judged: `[{key, path, why}]`.

    A check that probes several cases (security.login.open_redirect: one login per hostile value) leaves many
    transcripts, and the first is usually a case that passed. So, per differing key, the transcripts are scored
    by that key's actual value (a leaking `Location`, a 500 status line, a quoted body), weighted by how rare the
    value is among the check's transcripts and doubled when it is in the response; the best wins, the latest on a
    tie. A key no transcript shows gets none; when no key matched at all, the last transcript is the evidence
    (a check stops at its first failing assertion)."""
    paths = transcripts_of(run_dir, check)
    if not paths:
        return []
    texts = {rel: _split((run_dir / rel).read_text(encoding="utf-8", errors="replace")) for rel in paths}
    found = []
    for row in rows:
        path, hits = _best(texts, _needles([row]))
        if path:
            found.append({"key": str(row["key"]), "path": path, "why": f"shows {_inline_short(hits[0])}"})
    if not found:
        found.append({"key": "", "path": paths[-1], "why": "the last exchange before the failure"})
    return found


def _inline_short(text: str, limit: int = 80) -> str:
    text = text.replace("`", "'").replace("\n", " ")
    return f"`{text if len(text) <= limit else text[: limit - 1] + '…'}`"


def transcript_excerpt(text: str, needles: list[str]) -> str:
    """Request line, response status and headers, the start of the body and every line holding a needle:
    bounded, and never the curl line (it repeats the request line at twice the length)."""
    lines = text.splitlines()
    if not any(line.startswith(("> ", "< ")) for line in lines):
        return "\n".join(_cut(line) for line in lines[:EXCERPT_LINES])
    out: list[str] = []
    body_lines = 0
    in_body = False
    for line in lines:
        if line.startswith("# curl"):
            continue
        matched = any(n in line for n in needles)
        if line.startswith("> "):
            if line[2:3].isupper() or matched:  # the request line, or a header that matters
                out.append(_cut(line))
            continue
        if line.startswith("< "):
            out.append(_cut(line) + ("   ◀" if matched else ""))
            continue
        if line == "<":
            in_body = True
            continue
        if in_body and line.strip():
            body_lines += 1
            if body_lines <= EXCERPT_BODY_LINES or matched:
                out.append(_cut(line) + ("   ◀" if matched else ""))
            elif body_lines == EXCERPT_BODY_LINES + 1:
                out.append("…")
        elif not in_body and line.strip() and not line.startswith(">") and not out:
            out.append(_cut(line))  # a transport error line
    return "\n".join(out[:EXCERPT_LINES])


def _cut(line: str) -> str:
    return line if len(line) <= EXCERPT_LINE_CHARS else line[: EXCERPT_LINE_CHARS - 1] + "…"


def failure_evidence(run_dir: Path, check: Mapping[str, Any]) -> dict[str, Any]:
    """What a finding shows: the differing keys (each with the transcript that shows it), excerpts of those
    transcripts (distinct, at most EXCERPTS), and the failure screenshot (else the last step screenshot)."""
    rows = diff_rows(check.get("expected"), check.get("actual"))
    judged = failing_transcripts(run_dir, check, rows)
    by_key = {j["key"]: j["path"] for j in judged}
    excerpts: list[dict[str, Any]] = []
    for j in judged:
        if j["path"] in {e["path"] for e in excerpts} or len(excerpts) >= EXCERPTS:
            continue
        keys = [k["key"] for k in judged if k["path"] == j["path"] and k["key"]]
        needles = _needles([r for r in rows if str(r["key"]) in keys] or rows)
        text = (run_dir / j["path"]).read_text(encoding="utf-8", errors="replace")
        excerpts.append({"path": j["path"], "keys": keys, "why": j["why"], "text": transcript_excerpt(text, needles)})
    shots = _screenshots(run_dir, check)
    failure_shots = [s for s in shots if "failure" in s.rsplit("/", 1)[-1]]
    return {
        "diff": [
            {
                "key": str(r["key"]),
                "expected": _show(r["expected"]),
                "actual": _show(r["actual"]),
                "transcript": by_key.get(str(r["key"]), ""),
            }
            for r in rows[:DIFF_ROWS]
        ],
        "diff_more": max(0, len(rows) - DIFF_ROWS),
        "excerpts": excerpts,
        "transcript_count": len(transcripts_of(run_dir, check)),
        "screenshot": (failure_shots or shots[-1:] or [""])[-1],
        "screenshot_is_failure": bool(failure_shots),
    }


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    text = text.replace("\r", " ").replace("\n", " ").replace("`", "'").replace("|", "\\|")
    return text if len(text) <= DIFF_VALUE_CHARS else text[: DIFF_VALUE_CHARS - 1] + "…"


def _screenshots(run_dir: Path, check: Mapping[str, Any]) -> list[str]:
    listed = {rel for rel in check.get("evidence") or [] if rel.endswith(".png") and (run_dir / rel).is_file()}
    folder = run_dir / "evidence" / str(check["id"])
    found = {p.relative_to(run_dir).as_posix() for p in folder.glob("*.png")} if folder.is_dir() else set()
    return sorted(listed | found)


def _area_order(check: Mapping[str, Any]) -> tuple[int, str]:
    area = str(check["area"])
    return (AREAS.index(area) if area in AREAS else len(AREAS), area)


def _evidence_dirs(artifacts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per evidence folder (files, bytes): the index a reader scans, the per-file list is manifest.json."""
    folders: dict[str, list[int]] = {}
    for a in artifacts:
        parts = str(a["path"]).split("/")
        if parts[0] == "evidence" and len(parts) > 2:
            folders.setdefault("/".join(parts[:2]) + "/", []).append(int(a.get("bytes") or 0))
    return [{"path": k, "files": len(v), "bytes": sum(v)} for k, v in sorted(folders.items())]


def _timings(checks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
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
        "crm": snapshots.crm_consumer_view(snaps.get("lambda", {}), snaps.get("sqs", {})),
        "errors": snapshots.errors_by_service(snaps),
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
        "crm": "crm",
    }
    view["missing"] = {
        key: f"not collected ({SNAPSHOT_CHECKS[svc]} {status_of(SNAPSHOT_CHECKS[svc])})"
        for key, svc in key_to_service.items()
    }
    return view


def _is_infra(check_id: str) -> bool:
    return check_id.startswith(("infra.", "security.ops."))


def _infra_verdict(
    checks: Sequence[Mapping[str, Any]],
    environment: Mapping[str, Any],
    catalog: Mapping[str, Any],
    run: Mapping[str, Any],
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
        shown = check["status"] in ("failed", "error", "warning")
        check["failure"] = failure_evidence(run_dir, check) if shown else None
        check["evidence_dir"] = f"evidence/{check['id']}/"
    failed = [c for c in checks if c["status"] == "failed"]
    red = [c for c in checks if c["status"] in ("failed", "error")]
    blocking = [c for c in red if c["severity"] in BLOCKING_SEVERITIES or is_preflight(base_id(c))]
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
        "manifest": {
            "path": MANIFEST_NAME,
            "present": (run_dir / MANIFEST_NAME).is_file(),
            "files": len(results["artifacts"]),
            "bytes": sum(int(a.get("bytes") or 0) for a in results["artifacts"]),
        },
        "load_plot": PLOT_PATH if (run_dir / PLOT_PATH).is_file() else "",
        "load_checks": [c for c in checks if c["area"] == "load"],
        "evidence_dirs": _evidence_dirs(results["artifacts"]),
        "blocking": sorted(blocking, key=severity_rank),
        "other_red": sorted((c for c in red if c not in blocking), key=severity_rank),
        "warnings": sorted((c for c in checks if c["status"] == "warning"), key=severity_rank),
        # Everything worth a line that is not already a blocker with its evidence: waived critical/high,
        # non-blocking failures and errors, warnings; most severe first.
        "findings": sorted(
            (
                c
                for c in checks
                if c not in blocking
                and (
                    c["status"] in ("failed", "error", "warning")
                    or (c["status"] == "waived" and c["severity"] in BLOCKING_SEVERITIES)
                )
            ),
            key=severity_rank,
        ),
        "all_checks": sorted(checks, key=_area_order),
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
        "rollback": rollback_plan(environment, snaps["lambda"], run_dir),
        "status_of": status_of,
    }
