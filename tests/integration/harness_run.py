"""Run the harness (`pytest --env ...`) as a child process against a fresh sandbox and read back its run."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checks.plugin.sandbox import START_TIMEOUT_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 600
SANDBOX_START_TIMEOUT_S = 90
HARNESS_SANDBOX_START_TIMEOUT_S = 270  # see child_environ

# The suites that hold an area's checks, plus the preflights those checks depend on.
SUITES_FOR_AREA = {
    "api": ("suites/api",),
    "security": ("suites/api/test_target.py", "suites/infra/test_infra_target.py", "suites/security"),
    "infra": ("suites/infra",),
    "e2e": ("suites/e2e",),
    "load": ("suites/api/test_target.py", "suites/load"),
    "crm": ("suites/api/test_target.py", "suites/crm"),
}


# Harness runs of the tier that judge no latency run niced (their sandboxes with them): on 2 shared cores, the run
# whose p95 thresholds are judged (the healthy pair's serial run, `measured=True`) then gets the CPU first, whatever
# the tier's other worker is running. Niceness needs no privilege and only orders runs that contend.
NICED = ("nice", "-n", "10")

# The areas of the whole-gate runs whose subject is neither load nor the CRM sync (the findings run, the real
# profile): the healthy pair and the fault matrix judge those two, and a p95 taken beside another worker's run on
# 2 cores is not the target's.
GATE_AREAS = ("api", "e2e", "infra", "security")


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


def env_file(
    tmp: Path,
    *,
    required_areas: Iterable[str] | None = None,
    crm_deadline_s: int | None = None,
    fuzz_seconds: float | None = None,
) -> Path:
    """The local environment, with the gate requiring only the areas this run executes (None: local's own); when
    given, a shorter CRM sync deadline (a fault whose sync never lands is then proven red without waiting out the full
    60 s) and a longer fuzzing bound (an upper bound: where the fuzzer must find the batch's fault, or must not be
    cut short beside the tier's other worker)."""
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    if required_areas is not None:
        data["required_areas"] = sorted(set(required_areas))
    if crm_deadline_s is not None:
        data["crm"]["sync_deadline_s"] = crm_deadline_s
    if fuzz_seconds is not None:
        data["fuzz"] = {**(data.get("fuzz") or {}), "max_seconds": fuzz_seconds}
    path = tmp / "local-subset.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def suites_for(areas: Iterable[str]) -> list[str]:
    return sorted({path for area in areas for path in SUITES_FOR_AREA[area]})


def harness_args(
    report_dir: Path,
    *,
    env: str | Path = "local",
    faults: Sequence[str] = (),
    paths: Sequence[str] = (),
    extra: Sequence[str] = (),
    measured: bool = False,
) -> list[str]:
    # `--opt=PATH`: a path in the space form makes pytest pick its rootdir from it and the gate re-execute (≈4 s)
    args = [sys.executable, "-m", "pytest", f"--env={env}", f"--report-dir={report_dir}", "-p", "no:randomly"]
    args += [arg for fault in faults for arg in ("--sandbox-fault", fault)]
    return [*(() if measured else NICED), *args, *extra, *paths]


def run_harness(
    tmp: Path,
    *,
    env: str | Path = "local",
    faults: Sequence[str] = (),
    paths: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> HarnessRun:
    report_dir = tmp / "run"
    args = harness_args(report_dir, env=env, faults=faults, paths=paths, extra=extra)
    done = subprocess.run(
        args, cwd=REPO_ROOT, env=child_environ(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    return HarnessRun(done.returncode, done.stdout + done.stderr, report_dir)


def run_side_by_side(
    runs: Mapping[str, Sequence[str]],
    report_root: Path,
    *,
    env: str | Path = "local",
    measured: Iterable[str] = (),
) -> dict[str, HarnessRun]:
    """Harness runs started at once (`name` → harness arguments after the report dir): each reports into
    `report_root/<name>`, its output into `report_root/<name>.log` (a pipe nobody reads yet would stall it);
    returns when all have ended. The runs named in `measured` judge latency (not niced)."""
    judged = set(measured)
    with contextlib.ExitStack() as stack:
        children = {}
        for name, args in runs.items():
            log = stack.enter_context((report_root / f"{name}.log").open("w"))
            children[name] = subprocess.Popen(
                harness_args(report_root / name, env=env, extra=args, measured=name in judged),
                cwd=REPO_ROOT, env=child_environ(), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            codes = {name: child.wait(timeout=RUN_TIMEOUT_S) for name, child in children.items()}
        finally:
            for child in children.values():  # a timed-out run leaves no harness behind
                if child.poll() is None:
                    child.kill()
                    child.wait(timeout=30)
    return {
        name: HarnessRun(codes[name], (report_root / f"{name}.log").read_text(), report_root / name) for name in runs
    }


@contextlib.contextmanager
def shared_sandbox(directory: Path) -> Iterator[Path]:
    """A sandbox started on its own (`python -m sandbox up`), as an operator shares one between runs; yields its
    state file (`--sandbox-state`)."""
    state = directory / "state.json"
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "up", "--state-file", str(state)],
        cwd=REPO_ROOT, env=child_environ(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + SANDBOX_START_TIMEOUT_S
        while not (state.is_file() and state.stat().st_size) and process.poll() is None:
            assert time.monotonic() < deadline, f"the sandbox was not up within {SANDBOX_START_TIMEOUT_S} s"
            time.sleep(0.2)  # polling the state file, bounded by the deadline
        assert state.is_file(), f"the sandbox did not come up (exit {process.poll()})"
        yield state
    finally:
        process.terminate()
        process.wait(timeout=30)


def child_environ() -> dict[str, str]:
    """The environment of a harness child: not the outer run's xdist/worker variables, nor any test user. A niced
    run's sandbox waits for CPU behind the tier's other work (its autogroup carries the nice value): its start is
    bounded well within RUN_TIMEOUT_S, not by the 60 s a user's run gets."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_TEST_", "HHL_REROOTED"))}
    return {**kept, START_TIMEOUT_ENV: str(HARNESS_SANDBOX_START_TIMEOUT_S)}


def environment_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ENVIRONMENT ERROR")]
