"""The gate: `python -m reports.gate <run_dir>` re-verifies a finished run and exits 0 GO, 1 NO-GO, 2 INCONCLUSIVE.

It trusts nothing it can recompute: artifact hashes (and that `manifest.json` lists what results.json does),
the counts in results.json, the count tables and footers
of the documents, the waivers (re-applied from the recorded env file at the run's date), the reference set
(from the catalog, with the scope and interruption recorded in `run`) and the verdict itself (re-derived from
the recorded outcomes by the same policy). So a re-check of an interrupted run, or of one whose selection left
a critical reference check out, is INCONCLUSIVE; a `run.partial` that differs from the recomputed one, or a
production confirmation beside a partial, smoke-scope or non-GO run, is a problem too. The result is the worse
of the recorded and the recomputed verdict; a recorded verdict milder than the outcomes allow means results.json
was edited, which is INCONCLUSIVE."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.catalog import load_catalog
from checks.vocabulary import base_id, is_preflight
from reports.context import load_results
from reports.counts import compute_counts
from reports.manifest import verify_manifest, verify_manifest_file
from reports.policy import Partial, build_facts, decide
from reports.render import CONFIRMATION, documents_for, writes_confirmation
from reports.selfcheck import self_check
from reports.verdicts import GO, INCONCLUSIVE, NO_GO, ExitCode, exit_code_for, label, precedence
from reports.waivers import run_date, valid_waivers, waiver_for


@dataclass(frozen=True)
class GateResult:
    verdict: str
    reasons: list[str]
    run_id: str
    partial: str = ""  # the PARTIAL RUN line, "" when the run was complete
    scope: str = "full"

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(self.verdict)

    def line(self) -> str:
        more = f" (+{len(self.reasons) - 1} more)" if len(self.reasons) > 1 else ""
        first = self.reasons[0] if self.reasons else "no reason recorded"
        tail = f" [{self.partial}]" if self.partial else ""
        return f"{label(self.verdict, self.scope)} {self.run_id}: {first}{more}{tail}"


TAMPER_RULES = {"manifest", "count-self-check"}


def _document_problems(run_dir: Path, results: dict[str, Any], sha: str, partial: Partial | None) -> list[str]:
    run = results["run"]
    verdict, scope = str(run.get("verdict", "")), str(run.get("scope") or "full")
    expected = documents_for(verdict, scope, partial)
    problems = [f"{name} missing" for name in expected if not (run_dir / name).is_file()]
    if not writes_confirmation(verdict, scope, partial) and (run_dir / CONFIRMATION).exists():
        why = partial.line if partial else (f"the verdict is {verdict}" if verdict != GO else f"scope {scope}")
        problems.append(f"{CONFIRMATION} present although {why}")
    present = [run_dir / name for name in expected if (run_dir / name).is_file()]
    return problems + self_check(present, results["checks"], str(run.get("id", "")), sha)


def _waiver_problems(checks: list[dict[str, Any]], environment: Mapping[str, Any], started_at: str) -> list[str]:
    """A `waived` outcome must carry exactly a waiver the env file grants, unexpired on the run's date."""
    valid, _ = valid_waivers(environment.get("waivers") or [], run_date(started_at), load_catalog())
    problems = []
    for c in checks:
        if c.get("status") != "waived":
            continue
        granted = waiver_for(str(c["id"]), base_id(c), valid)
        if not c.get("waiver") or is_preflight(base_id(c)) or granted is None or dict(c["waiver"]) != granted:
            problems.append(f"{c['id']} is waived without a valid waiver")
    return problems


def _partial_problems(recorded: Any, recomputed: Partial | None) -> list[str]:
    want = recomputed.to_json() if recomputed else None
    got = recorded if isinstance(recorded, Mapping) or recorded is None else {"line": repr(recorded)}
    keys = ("ids", "interrupted", "reference")
    if (want is None) != (got is None) or (want and got and any(want[k] != got.get(k) for k in keys)):
        shown = (want or {}).get("line", "complete")
        return [f"run.partial differs from the recomputed reference set ({shown})"]
    return []


def run_gate(run_dir: Path) -> GateResult:
    try:
        results, sha = load_results(run_dir)
    except ValueError as exc:
        return GateResult(INCONCLUSIVE, [f"gate: {exc}"], run_dir.name)
    run: dict[str, Any] = results["run"]
    run_id = str(run.get("id", run_dir.name))
    scope = str(run.get("scope") or "full")
    checks: list[dict[str, Any]] = results["checks"]
    environment = results.get("environment") or {}
    catalog = load_catalog()
    from_outcomes = decide(build_facts(checks, environment, catalog, run))
    integrity = verify_manifest(run_dir, results["artifacts"])
    integrity += verify_manifest_file(run_dir, run_id, results["artifacts"])
    if compute_counts(checks) != results["counts"]:
        integrity.append("results.json counts differ from its own checks")
    integrity += _waiver_problems(checks, environment, str(run.get("started_at", "")))
    integrity += _partial_problems(run.get("partial"), from_outcomes.partial)
    full = decide(
        build_facts(
            checks,
            environment,
            catalog,
            run,
            manifest_problems=integrity,
            selfcheck_problems=_document_problems(run_dir, results, sha, from_outcomes.partial),
        )
    )
    partial = from_outcomes.partial_line
    recorded = str(run.get("verdict", ""))
    recorded_reasons = list(run.get("verdict_reasons") or [])
    if recorded not in (GO, NO_GO, INCONCLUSIVE) or precedence(recorded) < precedence(from_outcomes.verdict):
        contradiction = (
            f"gate: recorded verdict {recorded or '<none>'} contradicts the outcomes ({from_outcomes.verdict})"
        )
        return GateResult(INCONCLUSIVE, [contradiction, *full.reasons], run_id, partial, scope)
    if set(full.fired) & TAMPER_RULES:
        # The run directory no longer matches what the session wrote: no recorded outcome can be trusted, a
        # recorded NO-GO included, so the re-check is INCONCLUSIVE (within a session a definite failure dominates).
        return GateResult(INCONCLUSIVE, full.reasons, run_id, partial, scope)
    if precedence(recorded) >= precedence(full.verdict):
        # Equal: keep the session's reasons (they include waiver notes); worse: e.g. a redaction hit only the
        # session could see, since the gate never holds the secrets.
        return GateResult(recorded, recorded_reasons, run_id, partial, scope)
    return GateResult(full.verdict, full.reasons, run_id, partial, scope)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m reports.gate <run_dir>", file=sys.stderr)
        return int(ExitCode.INCONCLUSIVE)
    result = run_gate(Path(args[0]))
    print(result.line())
    return int(result.exit_code)


if __name__ == "__main__":
    raise SystemExit(main())
