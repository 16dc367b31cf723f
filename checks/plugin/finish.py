"""Session end: build RunInfo, hand every CheckResult to the reports package (through the `pytest_hhl_finish_run`
hook), and summarise the verdict for the terminal."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from checks.plugin.hookspecs import RunOutcomeLike
from checks.plugin.outcomes import iso
from checks.plugin.state import RunState
from checks.redaction import redact_text
from checks.run_identity import read_run_identity
from checks.vocabulary import ExitCode
from environments import Environment
from reports.results import CheckResult, RunInfo


@dataclass
class FallbackOutcome:
    """Used when the reports package cannot produce an outcome: never a GO."""

    verdict: str = "INCONCLUSIVE"
    reasons: list[str] = field(default_factory=list)
    exit_code: int = ExitCode.INCONCLUSIVE
    documents: list[Path] = field(default_factory=list)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def run_info(state: RunState, env: Environment, finished_at: float) -> RunInfo:
    identity = read_run_identity(env)  # bounded: a few seconds at most, never raises
    return RunInfo(
        id=state.run_id,
        env=env.name,
        profile=env.profile,
        started_at=state.started_at,
        finished_at=iso(finished_at),
        harness_version=_version("hedgehog-learn-rollout"),
        # Read from the target, locally and on AWS: never the sandbox's own claim, never this repository's template.
        backend_version=identity.backend_version,
        template_sha256=identity.template_sha256,
        lambda_version=identity.lambda_version,
        lambda_alias=identity.lambda_alias,
        code_sha256=identity.code_sha256,
        identity_notes=identity.notes,
        scope=state.scope,
        interrupted=state.interrupted,
        targets={
            "site": env.site_base_url,
            "api": env.api_base_url,
            "hosted_ui": env.cognito.domain,
            "region": env.region,
            "stack": env.stack_name,
        },
    )


def check_results(payloads: list[dict[str, Any]]) -> list[CheckResult]:
    return [CheckResult(**payload) for payload in payloads]


def default_finish_run(
    run_dir: Path,
    run: RunInfo,
    checks: list[CheckResult],
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None,
) -> RunOutcomeLike:
    """reports.finish_run, or (while the reports package is missing) results.json alone and INCONCLUSIVE."""
    reports = importlib.import_module("reports")
    finish_run = getattr(reports, "finish_run", None)
    if finish_run is not None:
        return finish_run(run_dir, run, checks, environment=environment, secrets=secrets, baseline_dir=baseline_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    document = {"run": run.to_json(), "checks": [c.to_json() for c in checks], "environment": environment}
    (run_dir / "results.json").write_text(redact_text(json.dumps(document, indent=2), secrets), encoding="utf-8")
    return FallbackOutcome(reasons=["the reports package provides no finish_run: no verdict was computed"])


def summary_lines(state: RunState, env_errors: list[str]) -> list[tuple[str, dict[str, bool]]]:
    """The gate's terminal section: environment errors, VERDICT, reasons, where the documents are."""
    lines: list[tuple[str, dict[str, bool]]] = [(f"ENVIRONMENT ERROR: {e}", {"red": True}) for e in env_errors]
    outcome = state.outcome
    if outcome is None:
        return lines
    colour = {"GO": "green", "NO-GO": "red"}.get(outcome.verdict, "yellow")
    scope = "" if state.scope == "full" else f" ({state.scope} scope)"
    lines.append((f"VERDICT: {outcome.verdict}{scope}", {colour: True, "bold": True}))
    partial = getattr(outcome, "partial", "")
    if partial:
        lines.append((partial, {"yellow": True, "bold": True}))
    lines += [(f"  - {reason}", {}) for reason in outcome.reasons]
    lines.append((f"run directory: {state.run_dir}", {}))
    final = state.run_dir / "FINAL-REPORT.md"
    lines.append((f"final report: {final}" if final.is_file() else "final report: (not written)", {}))
    return lines
