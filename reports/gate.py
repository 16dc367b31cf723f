"""The gate: `python -m reports.gate <run_dir>` re-verifies a finished run and exits 0 GO, 1 NO-GO, 2 INCONCLUSIVE.

It trusts nothing it can recompute: artifact hashes, the counts in results.json, the count tables and footers
of the documents, and the verdict itself (re-derived from the recorded outcomes by the same policy). The
result is the worse of the recorded and the recomputed verdict; a recorded verdict milder than the outcomes
allow means results.json was edited, which is INCONCLUSIVE."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.catalog_text import load_catalog
from reports.context import load_results
from reports.counts import compute_counts
from reports.manifest import verify_manifest
from reports.policy import build_facts, decide
from reports.render import CONFIRMATION, documents_for
from reports.selfcheck import self_check
from reports.verdicts import GO, INCONCLUSIVE, NO_GO, ExitCode, exit_code_for
from reports.waivers import is_target_check


@dataclass(frozen=True)
class GateResult:
    verdict: str
    reasons: list[str]
    run_id: str

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(self.verdict)

    def line(self) -> str:
        more = f" (+{len(self.reasons) - 1} more)" if len(self.reasons) > 1 else ""
        return f"{self.verdict} {self.run_id}: {self.reasons[0] if self.reasons else 'no reason recorded'}{more}"


def _document_problems(run_dir: Path, results: dict[str, Any], sha: str) -> list[str]:
    verdict = str(results["run"].get("verdict", ""))
    expected = documents_for(verdict)
    problems = [f"{name} missing" for name in expected if not (run_dir / name).is_file()]
    if verdict != GO and (run_dir / CONFIRMATION).exists():
        problems.append(f"{CONFIRMATION} present although the verdict is {verdict}")
    present = [run_dir / name for name in expected if (run_dir / name).is_file()]
    return problems + self_check(present, results["checks"], str(results["run"].get("id", "")), sha)


def _waiver_problems(checks: list[dict[str, Any]]) -> list[str]:
    return [
        f"{c['id']} is waived without a valid waiver"
        for c in checks
        if c.get("status") == "waived" and (not c.get("waiver") or is_target_check(str(c["id"]).split("[", 1)[0]))
    ]


def run_gate(run_dir: Path) -> GateResult:
    try:
        results, sha = load_results(run_dir)
    except ValueError as exc:
        return GateResult(INCONCLUSIVE, [f"gate: {exc}"], run_dir.name)
    run_id = str(results["run"].get("id", run_dir.name))
    checks: list[dict[str, Any]] = results["checks"]
    integrity = verify_manifest(run_dir, results["artifacts"])
    if compute_counts(checks) != results["counts"]:
        integrity.append("results.json counts differ from its own checks")
    integrity += _waiver_problems(checks)
    scopes = {cid: entry.scope for cid, entry in load_catalog().items()}
    environment = results.get("environment") or {}
    from_outcomes = decide(build_facts(checks, environment, scopes))
    full = decide(
        build_facts(
            checks,
            environment,
            scopes,
            manifest_problems=integrity,
            selfcheck_problems=_document_problems(run_dir, results, sha),
        )
    )
    recorded = str(results["run"].get("verdict", ""))
    recorded_reasons = list(results["run"].get("verdict_reasons") or [])
    if recorded not in (GO, NO_GO, INCONCLUSIVE) or exit_code_for(recorded) < exit_code_for(from_outcomes.verdict):
        contradiction = (
            f"gate: recorded verdict {recorded or '<none>'} contradicts the outcomes ({from_outcomes.verdict})"
        )
        return GateResult(INCONCLUSIVE, [contradiction, *full.reasons], run_id)
    if exit_code_for(recorded) >= exit_code_for(full.verdict):
        # Equal: keep the session's reasons (they include waiver notes); worse: e.g. a redaction hit only the
        # session could see, since the gate never holds the secrets.
        return GateResult(recorded, recorded_reasons, run_id)
    return GateResult(full.verdict, full.reasons, run_id)


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
