"""Run results, the verdict engine and the verification documents (SPEC §11).

    from reports import finish_run
    outcome = finish_run(run_dir, run, checks, environment=env_dict, secrets=[token])
    raise SystemExit(outcome.exit_code)

`python -m reports.gate <run_dir>` re-verifies a run; `python -m reports.render <run_dir>` re-renders it."""

from __future__ import annotations

from typing import Any

from reports.finish import RunOutcome, finish_run
from reports.policy import POLICY, Decision, Facts, Rule, decide
from reports.render import render_documents
from reports.results import STATUSES, CheckResult, RunInfo
from reports.verdicts import GO, INCONCLUSIVE, NO_GO, ExitCode

__all__ = [
    "GO",
    "INCONCLUSIVE",
    "NO_GO",
    "POLICY",
    "STATUSES",
    "CheckResult",
    "Decision",
    "ExitCode",
    "Facts",
    "GateResult",
    "Rule",
    "RunInfo",
    "RunOutcome",
    "decide",
    "finish_run",
    "render_documents",
    "run_gate",
]


def __getattr__(name: str) -> Any:
    """`GateResult` and `run_gate` load on first use, so `python -m reports.gate` does not import itself twice."""
    if name in ("GateResult", "run_gate"):
        from reports import gate

        return getattr(gate, name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
