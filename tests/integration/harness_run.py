"""Run the harness (`pytest --env ...`) as a child process against a fresh sandbox and read back its run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 600

# The suites that hold an area's checks, plus the preflights those checks depend on.
SUITES_FOR_AREA = {
    "api": ("suites/api",),
    "security": ("suites/api/test_target.py", "suites/infra/test_infra_target.py", "suites/security"),
    "infra": ("suites/infra",),
    "e2e": ("suites/e2e",),
    "load": ("suites/api/test_target.py", "suites/load"),
    "crm": ("suites/api/test_target.py", "suites/crm"),
}


@dataclass
class HarnessRun:
    exit_code: int
    output: str
    run_dir: Path

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "results.json").read_text())

    def status_of(self, check_id: str) -> set[str]:
        """Statuses of a check's items (a parametrized check has several)."""
        return {c["status"] for c in self.results["checks"] if c["id"] == check_id or c["check_id"] == check_id}

    @property
    def verdict(self) -> str:
        return self.results["run"]["verdict"]


def env_file(tmp: Path, *, required_areas: Iterable[str]) -> Path:
    """The local environment, with the gate requiring only the areas this run executes."""
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    data["required_areas"] = sorted(set(required_areas))
    path = tmp / "local-subset.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def suites_for(areas: Iterable[str]) -> list[str]:
    return sorted({path for area in areas for path in SUITES_FOR_AREA[area]})


def run_harness(
    tmp: Path,
    *,
    env: str | Path = "local",
    faults: Sequence[str] = (),
    paths: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> HarnessRun:
    report_dir = tmp / "run"
    args = [sys.executable, "-m", "pytest", "--env", str(env), "--report-dir", str(report_dir), "-p", "no:randomly"]
    args += [arg for fault in faults for arg in ("--sandbox-fault", fault)]
    args += [*extra, *paths]
    done = subprocess.run(
        args, cwd=REPO_ROOT, env=child_environ(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    return HarnessRun(done.returncode, done.stdout + done.stderr, report_dir)


def child_environ() -> dict[str, str]:
    """The environment of a harness child: not the outer run's xdist/worker variables, nor any test user."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_TEST_", "HHL_REROOTED"))}


def environment_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ENVIRONMENT ERROR")]
