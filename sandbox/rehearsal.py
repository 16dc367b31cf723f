"""Rollback rehearsal (`make rehearse-rollback`, `python -m sandbox.rehearsal [--out DIR]`).

In a fresh sandbox: a release with a fault is published as a new version and put behind `live` (the sandbox serves
whatever `live` points at, sandbox/live_alias.py); the gate runs in smoke scope and must say NO-GO; the S2 commands
that run's `rollback-procedures.md` rendered are executed with the real AWS CLI against the sandbox's moto; then
the document's post-rollback command (`pytest --env local -m smoke`) runs and must say GO. The record
(`rehearsal-result.json` in DIR) has the versions, verdicts and times; the post-rollback run's own
`rollback-procedures.md` renders it (this module is also the pytest plugin, `-p sandbox.rehearsal`, that places
the record in that run's directory before its documents are rendered). Exit 0 only when both verdicts are as
expected.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from environments.models import SandboxState
from sandbox.live_alias import ALIAS_TTL_S, FAULTS_VARIABLE

REPO_ROOT = Path(__file__).resolve().parent.parent
FAULT = "backend.relative_callback_location"  # api.callback.success (smoke) turns red on the faulted release
READY_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 900
RECORD_NAME = "rehearsal.json"  # reports.rollback.REHEARSAL_NAME
RESULT_NAME = "rehearsal-result.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("hhl").addoption(
        "--rehearsal-record",
        dest="hhl_rehearsal_record",
        default=None,
        metavar="PATH",
        help="rollback rehearsal only: the rehearsal's record, copied into this run's directory before rendering",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    record, run_dir = session.config.option.hhl_rehearsal_record, session.config.option.hhl_report_dir
    if record and run_dir:
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        (Path(run_dir) / RECORD_NAME).write_bytes(Path(record).read_bytes())


@dataclass
class Sandbox:
    process: subprocess.Popen[bytes]
    state_file: Path

    @property
    def state(self) -> SandboxState:
        return SandboxState.model_validate_json(self.state_file.read_text(encoding="utf-8"))

    def stop(self) -> None:
        """SIGTERM (the sandbox stops cleanly and removes its state file), SIGKILL if it has not within 20 s."""
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


def start_sandbox(out: Path) -> Sandbox:
    state_file = out / "sandbox.json"
    log = (out / "sandbox.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "up", "--state-file", str(state_file), "--owner-pid", str(os.getpid())],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not state_file.exists():
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited with {process.returncode}; see {out / 'sandbox.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"sandbox not ready within {READY_TIMEOUT_S:.0f} s")
        time.sleep(0.05)  # polling for the state file with a deadline
    return Sandbox(process, state_file)


def aws_environ(state: SandboxState) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_", "HHL_TEST_"))}
    environ.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "AWS_ENDPOINT_URL": state.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": state.required("region"),
            "AWS_PAGER": "",
        }
    )
    return environ


def lambda_client(state: SandboxState) -> Any:
    import boto3

    return boto3.client(
        "lambda",
        endpoint_url=state.aws_endpoint_url,
        region_name=state.required("region"),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def publish_faulted_release(state: SandboxState, fault: str) -> tuple[str, str]:
    """A new release = the live version's configuration plus the fault seam, published and put behind `live`."""
    lam, fn = lambda_client(state), state.required("function_name")
    previous = lam.get_alias(FunctionName=fn, Name="live")["FunctionVersion"]
    variables = lam.get_function_configuration(FunctionName=fn, Qualifier=previous)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=fn, Environment={"Variables": {**variables, FAULTS_VARIABLE: fault}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    faulted = lam.publish_version(FunctionName=fn, Description=f"rehearsal: faulted release ({fault})")["Version"]
    lam.update_alias(FunctionName=fn, Name="live", FunctionVersion=faulted)
    return previous, faulted


def wait_for_alias_propagation(moved_at: float) -> None:
    """The sandbox serves an alias move at most ALIAS_TTL_S after it (sandbox/live_alias.py): wait out that bound."""
    remaining = moved_at + ALIAS_TTL_S - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)  # a known propagation bound, not a guess at readiness


def run_smoke(command: str, state_file: Path, report_dir: Path, *extra: str) -> dict[str, Any]:
    args = shlex.split(command)
    assert args[0] == "pytest", command
    argv = [sys.executable, "-m", *args, "--sandbox-state", str(state_file), "--report-dir", str(report_dir)]
    argv += ["-p", "no:randomly", *extra]
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=REPO_ROOT, env=_harness_environ(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    (report_dir.parent / f"{report_dir.name}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    red = sorted({c["id"] for c in results["checks"] if c["status"] in ("failed", "error")})
    return {
        "verdict": results["run"]["verdict"],
        "scope": results["run"].get("scope"),
        "exit_code": done.returncode,
        "red": red,
        "seconds": round(time.monotonic() - started, 1),
        "run_dir": str(report_dir),
    }


def _harness_environ() -> dict[str, str]:
    # The harness child talks to the sandbox through the state file; it must not inherit the moto endpoint.
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HHL_TEST_", "HHL_REROOTED"))}


def section_commands(markdown: str, heading: str) -> list[str]:
    """The lines of the bash blocks under `## <heading>` (up to the next `## `)."""
    lines, inside, in_section = [], False, False
    for line in markdown.splitlines():
        if line.startswith("## "):
            in_section = line.startswith(f"## {heading}")
            continue
        if in_section and line.startswith("```"):
            inside = not inside
        elif in_section and inside:
            lines.append(line)
    return lines


def run_commands(lines: list[str], state: SandboxState, cwd: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + "\n".join(lines)],
        cwd=cwd, env=aws_environ(state), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"S2 commands failed ({done.returncode}): {done.stderr[-2000:]}")
    return round(time.monotonic() - started, 1)


def rehearse(out: Path, fault: str = FAULT) -> dict[str, Any]:
    """Run the whole rehearsal into `out` (created); returns the record also written to out/rehearsal-result.json."""
    out.mkdir(parents=True, exist_ok=False)
    record: dict[str, Any] = {"env": "local", "fault": fault, "started_at": _now()}
    started = time.monotonic()
    sandbox = start_sandbox(out)
    try:
        state = sandbox.state
        previous, faulted = publish_faulted_release(state, fault)
        wait_for_alias_propagation(time.monotonic())
        record |= {"previous_version": previous, "faulted_version": faulted}
        smoke = "pytest --env local -m smoke"  # overwritten below by what the gate run's document says
        gate = run_smoke(smoke, sandbox.state_file, out / "gate")
        detected = time.monotonic()
        document = (out / "gate" / "rollback-procedures.md").read_text(encoding="utf-8")
        s2 = section_commands(document, "S2")
        smoke = section_commands(document, "Post-rollback")[0]
        record |= {
            "gate_command": smoke,
            "gate_verdict": gate["verdict"],
            "gate_red": gate["red"],
            "gate": gate,
            "s2_command": next(line for line in s2 if "update-alias" in line),
        }
        record["s2_seconds"] = run_commands(s2, state, out)
        moved = time.monotonic()
        live = lambda_client(state).get_alias(FunctionName=state.required("function_name"), Name="live")
        record["live_after_s2"] = live["FunctionVersion"]
        record["detect_to_rollback_s"] = round(moved - detected, 1)
        record["smoke_command"] = smoke
        wait_for_alias_propagation(moved)
        (out / RECORD_NAME).write_text(json.dumps(record, indent=2), encoding="utf-8")
        post = run_smoke(smoke, sandbox.state_file, out / "post-rollback", "-p", "sandbox.rehearsal",
                         "--rehearsal-record", str(out / RECORD_NAME))  # fmt: skip
        record |= {"post_rollback_verdict": post["verdict"], "post_rollback": post}
    finally:
        sandbox.stop()
    record["total_seconds"] = round(time.monotonic() - started, 1)
    record["ok"] = record.get("gate_verdict") == "NO-GO" and record.get("post_rollback_verdict") == "GO"
    (out / RESULT_NAME).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return record


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.rehearsal", description=__doc__.splitlines()[0])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "verification-output" / f"rehearsal-{stamp}")
    parser.add_argument("--fault", default=FAULT, help=f"backend fault of the faulted release (default {FAULT})")
    args = parser.parse_args(argv)
    record = rehearse(args.out, args.fault)
    print(
        f"rollback rehearsal: faulted version {record.get('faulted_version')} → gate "
        f"{record.get('gate_verdict')} ({', '.join(record.get('gate_red', [])) or 'nothing red'}); S2 "
        f"`{record.get('s2_command')}` in {record.get('s2_seconds')} s → live {record.get('live_after_s2')}; "
        f"post-rollback smoke {record.get('post_rollback_verdict')}; total {record['total_seconds']} s; "
        f"record {args.out / RESULT_NAME}"
    )
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
