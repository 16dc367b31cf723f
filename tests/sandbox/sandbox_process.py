"""Start `python -m sandbox up` as a child process for tests and benchmarks, with bounded waits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from environments.models import SandboxState

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60.0


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    state_file: Path

    def state(self) -> SandboxState:
        return read_state(self.state_file)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def launch(state_file: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox", "up", "--state-file", str(state_file), *extra],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start(state_file: Path, faults: Sequence[str] = (), *extra: str) -> SandboxProcess:
    """Start and wait until the state file appears (the sandbox writes it once everything answers)."""
    args = [arg for fault in faults for arg in ("--fault", fault)]
    process = launch(state_file, *args, *extra)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not state_file.exists():
        if process.poll() is not None:
            _, err = process.communicate()
            raise RuntimeError(f"sandbox exited with {process.returncode}: {err.strip()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"sandbox not ready within {READY_TIMEOUT_S:.0f} s")
        time.sleep(0.05)  # polling for the state file with a deadline
    return SandboxProcess(process, state_file)


def read_state(state_file: Path) -> SandboxState:
    return SandboxState.model_validate_json(state_file.read_text(encoding="utf-8"))


def listening_ports(state: SandboxState) -> list[int]:
    """The ports of the site, API, hosted UI and moto, from their URLs."""
    urls = (state.site_url, state.api_url, state.idp_url, state.aws_endpoint_url)
    return [int(url.rsplit(":", 1)[1]) for url in urls]


def alive(pid: int) -> bool:
    """Running, or anything but a zombie (an exited child nobody reaped yet counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status
