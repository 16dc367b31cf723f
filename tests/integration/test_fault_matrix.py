"""The harness's own mutation test: each sandbox fault (SPEC §10 catalog) must turn its named checks red, nothing
else red, and the verdict NO-GO (INCONCLUSIVE for a preflight's fault, which blocks the rest). Faults that cannot
hide one another share a run (fault_batches.py; `HHL_MATRIX_SOLO=1`: one run per fault)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.redaction import token_fragments
from sandbox.faults import FAULTS, Fault
from tests.integration.fault_batches import Batch, area, batches
from tests.integration.harness_run import SUITES_FOR_AREA, HarnessRun, env_file, run_harness, suites_for

pytestmark = pytest.mark.integration

RED = {"failed", "error"}
# `HHL_MATRIX_XDIST=2 pytest tests/integration/test_fault_matrix.py` runs each fault's harness under `-n 2` instead.
XDIST = os.environ.get("HHL_MATRIX_XDIST", "")


def _covered(fault: Fault) -> bool:
    return not fault.second_wave and all(area(check) in SUITES_FOR_AREA for check in fault.caught_by)


# Faults caught only by medium/low checks (verdict GO) need the full reference set to be GO; they are planted
# together in one full run (tests/integration/test_reporters.py), so each is proven without a full run apiece.
# A misrouted API base is proven, with more said of it, by a whole-gate run of its own (test_invocations.py).
PROVEN_ELSEWHERE = {
    "site.api_proxy_off": "test_invocations.py::test_a_misrouted_api_base_is_one_red_check_and_one_environment_error"
}
MATRIX = [f for f in FAULTS.values() if _covered(f) and f.verdict != "GO" and f.name not in PROVEN_ELSEWHERE]
FINDINGS_ONLY = [fault for fault in FAULTS.values() if _covered(fault) and fault.verdict == "GO"]
BATCHES = batches(MATRIX)


def test_matrix_covers_every_fault_of_this_wave() -> None:
    proven = {f.name for f in MATRIX + FINDINGS_ONLY} | set(PROVEN_ELSEWHERE)
    left_out = {f.name for f in FAULTS.values() if not f.second_wave} - proven
    assert left_out == set(), left_out
    assert sorted(f.name for batch in BATCHES for f in batch.faults) == sorted(f.name for f in MATRIX)


# Checks whose seconds are spent only where they catch the batch's fault: the fuzzer (15-20 s), and the latency
# thresholds (a p95 taken in a niced run beside the tier's other worker is not the target's; the healthy pair's
# serial run judges them). The full runs show them green on the healthy sandbox.
FUZZ = "api.fuzz.no_5xx"
MATRIX_FUZZ_S = 90.0  # an upper bound: the fuzzer ends once every case is sent (~15 s on a quiet machine)
ONLY_WHERE_CATCHING = {
    "api.fuzz.no_5xx": "suites/api/test_fuzz.py::test_fuzz_no_5xx",
    "load.api.read_latency": "suites/load/test_load_api.py::test_read_latency",
    "load.api.event_burst": "suites/load/test_load_api.py::test_event_burst",
}
# A healthy sandbox reflects an event in ≤ 1 s (p95); a fault whose sync never lands is red after this, not after 60 s.
MATRIX_CRM_DEADLINE_S = 15


def _run_for(batch: Batch, tmp_path: Path) -> HarnessRun:
    """Only the suites of the batch's areas (a definite failure dominates the partial run), without the checks
    that only cost time where they catch nothing of the batch."""
    areas = batch.areas
    extra = ["-n", XDIST] if XDIST else []
    for check, item in ONLY_WHERE_CATCHING.items():
        if area(check) in areas and check not in batch.caught_by:
            extra += ["--deselect", item]
    return run_harness(
        tmp_path,
        env=env_file(
            tmp_path,
            required_areas=areas,
            crm_deadline_s=MATRIX_CRM_DEADLINE_S if "crm" in areas else None,
            fuzz_seconds=MATRIX_FUZZ_S if FUZZ in batch.caught_by else None,
        ),
        faults=[fault.name for fault in batch.faults],
        paths=suites_for(areas),
        extra=extra,
    )


@pytest.mark.parametrize("batch", BATCHES, ids=lambda b: b.id)
def test_faults_are_caught(batch: Batch, tmp_path: Path) -> None:
    run = _run_for(batch, tmp_path)
    assert (tmp_path / "run" / "results.json").is_file(), run.output[-3000:]
    assert token_fragments(run.run_dir) == [], "a JWT fragment reached the run directory"
    missed = {
        fault.name: {check: run.status_of(check) for check in fault.caught_by if not run.status_of(check) & RED}
        for fault in batch.faults
    }
    missed = {name: checks for name, checks in missed.items() if checks}
    assert not missed, f"not caught: {missed}\n{run.output[-3000:]}"
    others = {c["check_id"]: c["message"][:200] for c in run.results["checks"] if c["status"] in RED}
    others = {check: message for check, message in others.items() if check not in batch.caught_by}
    assert not others, f"red beyond the planted faults' checks (one root cause, one red check): {others}"
    assert run.verdict == batch.verdict, f"{run.verdict} != {batch.verdict}: {run.results['run']['verdict_reasons']}"
    assert run.exit_code == {"NO-GO": 1, "INCONCLUSIVE": 2}[batch.verdict]
