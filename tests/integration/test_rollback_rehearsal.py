"""The rollback rehearsal (issue 10 item 3): a faulted release behind `live` → the gate says NO-GO; the S2 command
that run rendered moves `live` back; the rendered post-rollback smoke command says GO, and its
rollback-procedures.md records the rehearsal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.rehearsal import FAULT, RESULT_NAME, section_commands
from tests.integration.harness_run import NICED, REPO_ROOT, child_environ

pytestmark = pytest.mark.integration


def test_rehearsal_rolls_a_faulted_release_back_to_go(tmp_path: Path) -> None:
    out = tmp_path / "rehearsal"
    # the command `make rehearse-rollback` runs, niced like every run of the tier that judges no latency
    done = subprocess.run(
        [*NICED, sys.executable, "-m", "sandbox.rehearsal", f"--out={out}"],
        cwd=REPO_ROOT, env=child_environ(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert (out / RESULT_NAME).is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    record = json.loads((out / RESULT_NAME).read_text(encoding="utf-8"))
    assert done.returncode == (0 if record["ok"] else 1), done.stdout[-2000:]

    # The faulted release answered: the gate saw it and rendered S2 towards the version before it.
    assert int(record["faulted_version"]) == int(record["previous_version"]) + 1
    assert record["gate_verdict"] == "NO-GO", record["gate"]
    assert "api.callback.success" in record["gate_red"]
    gate_doc = (out / "gate" / "rollback-procedures.md").read_text(encoding="utf-8")
    assert f"currently at version {record['faulted_version']}" in gate_doc
    assert record["s2_command"] in section_commands(gate_doc, "S2")
    assert record["s2_command"].endswith(f"--function-version {record['previous_version']} --region us-west-2")

    # S2 moved live back, and what answers changed with it: the same smoke scope is GO.
    assert record["live_after_s2"] == record["previous_version"]
    assert record["smoke_command"] == "pytest --env local -m smoke"
    post = record["post_rollback"]
    assert (record["post_rollback_verdict"], post["scope"], post["red"]) == ("GO", "smoke", [])
    assert post["exit_code"] == 0 and record["gate"]["exit_code"] == 1
    assert record["ok"] is True

    post_doc = (out / "post-rollback" / "rollback-procedures.md").read_text(encoding="utf-8")
    assert "This run is the post-rollback smoke run of a rollback rehearsal" in post_doc
    assert f"version {record['faulted_version']} (`{FAULT}`)" in post_doc
    assert "| Gate on the faulted release | **NO-GO**" in post_doc
    manifest = json.loads((out / "post-rollback" / "manifest.json").read_text(encoding="utf-8"))
    assert "rehearsal.json" in json.dumps(manifest)  # the record is an input of that run, hashed like the rest
