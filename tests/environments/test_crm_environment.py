"""The crm area's environment handling through the real harness: an aws env with CRM on and no HHL_HUBSPOT_TOKEN
is one environment error naming the variable (every other crm check blocked, nothing sent anywhere), and an env
that switches CRM off leaves every crm check `skipped` (not applicable) rather than an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, crm: dict[str, Any], **environ: str) -> tuple[str, dict[str, str]]:
    document = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    # Port 9 (discard) is never reached: a blocked check sends nothing.
    document.update(required_areas=["crm"], crm={**document["crm"], "base_url": "http://127.0.0.1:9", **crm})
    env_file = tmp_path / "aws-crm.yaml"
    env_file.write_text(yaml.safe_dump(document))
    child = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--env", str(env_file), "suites/crm", "--report-dir", str(tmp_path / "run"),
         "-p", "no:randomly"],
        cwd=REPO, env={**child, **environ}, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    return done.stdout + done.stderr, {c["id"]: c["status"] for c in results["checks"]}


def test_missing_hubspot_token_is_one_environment_error_naming_the_variable(tmp_path: Path) -> None:
    output, statuses = _run(tmp_path, {}, HHL_TEST_USERNAME="u@example.com", HHL_TEST_PASSWORD="unused-pw-1")
    errors = [line for line in output.splitlines() if line.startswith("ENVIRONMENT ERROR")]
    assert len(errors) == 1 and "HHL_HUBSPOT_TOKEN" in errors[0] and "crm.target.portal_identity" in errors[0]
    assert statuses["crm.target.portal_identity"] == "error"
    assert {statuses[c] for c in statuses if c.startswith("crm.sync.") and c not in NOT_ON_AWS} == {"blocked"}
    assert statuses["crm.properties.exist"] == "blocked"
    assert {statuses[c] for c in NOT_ON_AWS} == {"skipped"}


NOT_ON_AWS = ("crm.sync.never_shrinks", "crm.sync.retries")  # [local] fault checks


def test_crm_switched_off_skips_every_crm_check(tmp_path: Path) -> None:
    _, statuses = _run(tmp_path, {"enabled": False})
    assert len(statuses) == 7 and set(statuses.values()) == {"skipped"}
