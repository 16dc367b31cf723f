"""The harness's own mutation test: each sandbox fault (SPEC §10 catalog) must turn its named checks red and the
verdict NO-GO (INCONCLUSIVE for a misrouted API base, whose preflight blocks the rest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reports.redaction import token_fragments
from sandbox.faults import FAULTS, Fault
from tests.integration.harness_run import SUITES_FOR_AREA, HarnessRun, env_file, run_harness, suites_for

pytestmark = pytest.mark.integration

RED = {"failed", "error"}
# `HHL_MATRIX_XDIST=2 pytest tests/integration/test_fault_matrix.py` runs each fault's harness under `-n 2` instead.
XDIST = os.environ.get("HHL_MATRIX_XDIST", "")


def _area(check_id: str) -> str:
    return check_id.split(".", 1)[0]


def _covered(fault: Fault) -> bool:
    return not fault.second_wave and all(_area(check) in SUITES_FOR_AREA for check in fault.caught_by)


# Faults caught only by medium/low checks (verdict GO) need the full reference set to be GO; they are planted
# together in one full run (tests/integration/test_reporters.py), so each is proven without a full run apiece.
MATRIX = [fault for fault in FAULTS.values() if _covered(fault) and fault.verdict != "GO"]
FINDINGS_ONLY = [fault for fault in FAULTS.values() if _covered(fault) and fault.verdict == "GO"]


def test_matrix_covers_every_fault_of_this_wave() -> None:
    left_out = {f.name for f in FAULTS.values() if not f.second_wave} - {f.name for f in MATRIX + FINDINGS_ONLY}
    assert left_out == set(), left_out


FUZZ = "api.fuzz.no_5xx"
FUZZ_ITEM = "suites/api/test_fuzz.py::test_fuzz_no_5xx"
# A healthy sandbox reflects an event in ≤ 1 s (p95); a fault whose sync never lands is red after this, not after 60 s.
MATRIX_CRM_DEADLINE_S = 15


def _run_for(fault: Fault, tmp_path: Path) -> HarnessRun:
    """Only the suites of the catching areas: a definite failure dominates the partial run. The fuzzer's 15-20 s is
    spent only where it is the catching check (the full runs show it green on the healthy sandbox, with every GO
    fault planted and on the real profile)."""
    areas = {_area(check) for check in fault.caught_by}
    extra = ["-n", XDIST] if XDIST else []
    if "api" in areas and FUZZ not in fault.caught_by:
        extra += ["--deselect", FUZZ_ITEM]
    return run_harness(
        tmp_path,
        env=env_file(tmp_path, required_areas=areas, crm_deadline_s=MATRIX_CRM_DEADLINE_S if "crm" in areas else None),
        faults=[fault.name],
        paths=suites_for(areas),
        extra=extra,
    )


@pytest.mark.parametrize("fault", MATRIX, ids=lambda f: f.name)
def test_fault_is_caught(fault: Fault, tmp_path: Path) -> None:
    run = _run_for(fault, tmp_path)
    assert (tmp_path / "run" / "results.json").is_file(), run.output[-3000:]
    assert token_fragments(run.run_dir) == [], "a JWT fragment reached the run directory"
    missed = {check: run.status_of(check) for check in fault.caught_by if not run.status_of(check) & RED}
    assert not missed, f"{fault.name} not caught: {missed}\n{run.output[-3000:]}"
    assert run.verdict == fault.verdict, f"{run.verdict} != {fault.verdict}: {run.results['run']['verdict_reasons']}"
    assert run.exit_code == {"NO-GO": 1, "INCONCLUSIVE": 2}[fault.verdict]
