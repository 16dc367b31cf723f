"""Session end (SPEC §11): waivers → verdict → results.json → documents → self-checks → step summary.

The verdict is judged against the catalog's reference set for the env kind and the run's scope (reports.policy),
so checks deselected by -k/-m/paths or cut short count as "did not run"; such a run, or an interrupted one, is a
PARTIAL RUN (`run.partial` in results.json, `RunOutcome.partial`) and never gets the production confirmation.

Order matters: results.json is written first and the documents are rendered from it (loaded back from disk),
each ending with its sha256. The post-render self-check and redaction scan may still demote the verdict to
INCONCLUSIVE; then results.json is rewritten with that reason and the documents rendered again."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.catalog import load_catalog
from checks.vocabulary import SEVERITIES, STATUSES
from reports.baseline import compare_to_baseline
from reports.counts import compute_counts
from reports.loadplot import write_latency_plot
from reports.manifest import (
    RESULTS_NAME,
    build_manifest,
    missing_evidence,
    run_files,
    sha256_file,
    write_manifest_file,
)
from reports.policy import Decision, Facts, build_facts, decide
from reports.redaction import contains_secret, scan_files, scan_run_dir, scrub_value
from reports.render import render_documents
from reports.results import CheckResult, RunInfo
from reports.selfcheck import self_check
from reports.step_summary import write_step_summary
from reports.verdicts import exit_code_for, label
from reports.versions import tool_versions
from reports.waivers import apply_waivers, run_date


@dataclass
class RunOutcome:
    verdict: str  # GO | NO-GO | INCONCLUSIVE
    reasons: list[str]
    exit_code: int  # 0 GO, 1 NO-GO, 2 INCONCLUSIVE
    documents: list[Path]
    results_path: Path
    partial: str = ""  # "PARTIAL RUN: <n> of <m> reference checks not run[ (interrupted: <why>)]"; "" = complete
    scope: str = "full"  # the run's scope (full | smoke)

    @property
    def headline(self) -> str:
        """The verdict as the terminal shows it: `GO (smoke scope)` for a smoke run."""
        return label(self.verdict, self.scope)


def validate_checks(checks: Sequence[CheckResult]) -> None:
    """One error naming every malformed result: a broken merge must not be rendered as if it were a run."""
    problems = []
    seen: set[str] = set()
    for check in checks:
        if check.status not in STATUSES:
            problems.append(f"{check.id}: status {check.status!r} not in {', '.join(STATUSES)}")
        if check.severity not in SEVERITIES:
            problems.append(f"{check.id}: severity {check.severity!r} not in {', '.join(SEVERITIES)}")
        if not check.area:
            problems.append(f"{check.id}: empty area")
        if check.id in seen:
            problems.append(f"{check.id}: recorded twice (one outcome per check and run)")
        seen.add(check.id)
    if problems:
        raise ValueError("invalid check results: " + "; ".join(problems))


def _write_results(run_dir: Path, results: dict[str, Any]) -> Path:
    path = run_dir / RESULTS_NAME
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _apply_decision(results: dict[str, Any], decision: Decision, notes: list[str]) -> None:
    results["run"]["verdict"] = decision.verdict
    results["run"]["verdict_reasons"] = decision.reasons + [f"warning: {note}" for note in notes]
    results["run"]["reference_checks"] = decision.reference
    results["run"]["partial"] = decision.partial.to_json() if decision.partial else None


def _render_and_verify(run_dir: Path, results: dict[str, Any], secrets: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Render from disk, then the self-check over every document plus a scan of what was just written."""
    documents = render_documents(run_dir, secrets)
    sha = sha256_file(run_dir / RESULTS_NAME)
    problems = self_check(documents, results["checks"], results["run"]["id"], sha)
    written = {p.name for p in documents} | {RESULTS_NAME}
    leaks = [hit for hit in scan_run_dir(run_dir, secrets) if hit.split(" ", 1)[0] in written]
    return documents, problems + leaks


def finish_run(
    run_dir: Path,
    run: RunInfo,
    checks: list[CheckResult],
    *,
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None = None,
) -> RunOutcome:
    """Judge, record and render one run; see the module docstring for the order of steps."""
    validate_checks(checks)
    live_secrets = [s for s in secrets if isinstance(s, str) and s]
    run_dir.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    applied, waiver_notes = apply_waivers(checks, environment.get("waivers") or [], run_date(run.started_at), catalog)
    raw_checks = [c.to_json() for c in applied]
    # A secret that reached results or the env dict is masked before anything is written, and still fails the run.
    leaks = [
        f"results.json: {c['id']} carried a live secret (masked)"
        for c in raw_checks
        if contains_secret(c, live_secrets)
    ]
    if contains_secret(dict(environment), live_secrets) or contains_secret(run.to_json(), live_secrets):
        leaks.append("results.json: run/environment carried a live secret (masked)")
    check_dicts: list[dict[str, Any]] = scrub_value(raw_checks, live_secrets)
    # Derived evidence (the load latency plot) is written before the manifest, so the gate verifies it too.
    write_latency_plot(run_dir, check_dicts)
    clean_env: dict[str, Any] = scrub_value(dict(environment), live_secrets)
    run_json: dict[str, Any] = scrub_value(dataclasses.replace(run).to_json(), live_secrets)
    facts: Facts = build_facts(
        check_dicts,
        clean_env,
        catalog,
        run_json,
        manifest_problems=missing_evidence(check_dicts, run_dir),
        redaction_hits=scan_files(run_files(run_dir), run_dir, live_secrets) + leaks,
        selfcheck_problems=[],
    )
    results: dict[str, Any] = {
        "run": run_json,
        "environment": clean_env,
        "checks": check_dicts,
        "counts": compute_counts(check_dicts),
        "artifacts": build_manifest(run_dir),
        "versions": tool_versions(),
        "baseline": compare_to_baseline(check_dicts, baseline_dir) if baseline_dir else None,
    }
    _apply_decision(results, decide(facts), waiver_notes)
    write_manifest_file(run_dir, str(run_json.get("id", "")), results["artifacts"])
    results_path = _write_results(run_dir, results)
    documents, problems = _render_and_verify(run_dir, results, live_secrets)
    if problems:
        facts.selfcheck_problems = [p for p in problems if "live secret" not in p]
        facts.redaction_hits += [p for p in problems if "live secret" in p]
        _apply_decision(results, decide(facts), waiver_notes)
        _write_results(run_dir, results)
        documents = render_documents(run_dir, live_secrets)
    write_step_summary(results, live_secrets)
    verdict = results["run"]["verdict"]
    part = results["run"]["partial"]
    return RunOutcome(
        verdict,
        list(results["run"]["verdict_reasons"]),
        int(exit_code_for(verdict)),
        documents,
        results_path,
        partial=part["line"] if part else "",
        scope=str(results["run"].get("scope") or "full"),
    )
