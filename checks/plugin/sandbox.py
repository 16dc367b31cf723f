"""Start the local sandbox once per run (also under xdist: the first process to need it starts it under an
fcntl lock, the others find its state file) and stop it at the end (SIGTERM, bounded wait, SIGKILL).

The sandbox is its own process group, so stopping it also stops the servers it spawned.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from checks.errors import SandboxError
from checks.redaction import redact_text

START_TIMEOUT_S = 60.0  # the sandbox writes its state file once everything answers (≈ a few seconds)
STOP_TIMEOUT_S = 15.0
POLL_S = 0.1


def _paths(shared_dir: Path) -> dict[str, Path]:
    return {
        name: shared_dir / file
        for name, file in {
            "lock": "sandbox.lock",
            "state": "sandbox-state.json",
            "pid": "sandbox.pid",
            "log": "sandbox.log",
            "failed": "sandbox-failed.txt",
        }.items()
    }


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return redact_text("\n".join(text.splitlines()[-lines:]))


def _launch(paths: dict[str, Path], faults: tuple[str, ...], cwd: Path) -> None:
    command = [sys.executable, "-m", "sandbox", "up", "--state-file", str(paths["state"])]
    for fault in faults:
        command += ["--fault", fault]
    with paths["log"].open("ab") as log:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    paths["pid"].write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if paths["state"].is_file() and paths["state"].stat().st_size > 0:
            return
        if process.poll() is not None:
            raise SandboxError(
                f"the local sandbox exited with status {process.returncode} before it was ready "
                f"(`{' '.join(command[1:4])} ...`):\n{_log_tail(paths['log'])}"
            )
        time.sleep(POLL_S)
    stop_sandbox(paths["state"].parent)
    raise SandboxError(
        f"the local sandbox did not write its state file within {START_TIMEOUT_S:.0f} s:\n{_log_tail(paths['log'])}"
    )


def ensure_sandbox(shared_dir: Path, *, faults: tuple[str, ...], cwd: Path) -> Path:
    """The state file of this run's sandbox, starting it if no process of the run has yet."""
    paths = _paths(shared_dir)
    with _locked(paths["lock"]):
        if paths["failed"].is_file():
            raise SandboxError(paths["failed"].read_text(encoding="utf-8"))
        if not paths["state"].is_file():
            try:
                _launch(paths, faults, cwd)
            except SandboxError as exc:
                # Remember the failure so other workers report the same error instead of launching again.
                paths["failed"].write_text(str(exc), encoding="utf-8")
                raise
    return paths["state"]


def sandbox_state_file(shared_dir: Path) -> Path | None:
    state = _paths(shared_dir)["state"]
    return state if state.is_file() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A child of this process that exited stays a zombie until reaped; reap it so it counts as gone.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return True


def stop_sandbox(shared_dir: Path) -> None:
    """SIGTERM the sandbox's process group, wait with a bound, SIGKILL as the last resort."""
    pid_file = _paths(shared_dir)["pid"]
    if not pid_file.is_file():
        return
    pid = int(pid_file.read_text())
    pid_file.unlink()
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(POLL_S)
