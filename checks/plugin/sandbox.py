"""Start the local sandbox once per run and stop it at the end (SIGTERM, bounded wait, SIGKILL).

Two ways in, one sandbox per run (an fcntl lock in the run's shared directory; the loser finds the state file):

- `start_run_sandbox(shared_dir, faults, cwd)`: the controller, from `pytest_sessionstart`, so the sandbox lives
  exactly as long as the whole run, whichever xdist worker needs it first;
- `ensure_sandbox(shared_dir, faults=, cwd=)`: the `env` fixture, lazily (no-op once the controller started it).

The sandbox never outlives the run, even when the harness is SIGKILLed: it gets `--owner-pid <controller>` (it
watches that pid through a pidfd) and, when the controller launches it, `--lifeline-fd` (the read end of a pipe
whose write end only the controller holds: EOF = the controller is gone). Either way it removes its state file
(the test users' passwords, 0600), the run's shared directory and its moto child, and exits within a second.
It is its own process group (Ctrl-C in the terminal reaches the harness, which then stops it).
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from checks.errors import SandboxError
from checks.http import name_the_run
from checks.redaction import redact_text

__all__ = [
    "MEASURE_LOCK_SUFFIX",
    "MEASURE_WAIT_S",
    "POLL_S",
    "START_TIMEOUT_ENV",
    "START_TIMEOUT_S",
    "STOP_TIMEOUT_S",
    "ensure_sandbox",
    "measuring_alone",
    "run_sandbox_state",
    "sandbox_state_file",
    "start_run_sandbox",
    "start_timeout_s",
    "stop_sandbox",
]

if TYPE_CHECKING:
    from checks.plugin.state import RunState

START_TIMEOUT_S = 60.0  # the sandbox writes its state file once everything answers (≈ a few seconds)
# A longer bound, for a machine where the sandbox waits for CPU behind higher-priority work (a niced run beside a
# busy one): a start that is starved, not hung, is then not reported as failed.
START_TIMEOUT_ENV = "HHL_SANDBOX_START_TIMEOUT_S"
STOP_TIMEOUT_S = 5.0  # the sandbox bounds its own stop (sandbox.orchestrator.HARD_EXIT_S)
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


# Write ends of the lifelines this process holds (shared dir → fd). Never written to, closed by the kernel when
# the process dies (whatever kills it) or by stop_sandbox; non-inheritable, so no other child keeps one open.
_LIFELINES: dict[Path, int] = {}


def _in_xdist_worker() -> bool:
    return "PYTEST_XDIST_WORKER" in os.environ


def _owner_pid() -> int:
    # An xdist worker is a direct child of the controller (execnet popen); the run ends when the controller does.
    return os.getppid() if _in_xdist_worker() else os.getpid()


def start_timeout_s() -> float:
    """How long a sandbox may take to write its state file: START_TIMEOUT_S, or $HHL_SANDBOX_START_TIMEOUT_S."""
    raw = os.environ.get(START_TIMEOUT_ENV)
    if raw is None:
        return START_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise SandboxError(f"{START_TIMEOUT_ENV}={raw!r} is not a positive number of seconds")
    return value


def _launch(paths: dict[str, Path], faults: tuple[str, ...], cwd: Path) -> None:
    timeout_s = start_timeout_s()  # a bad value is an error before anything starts
    shared_dir = paths["state"].parent
    command = [sys.executable, "-m", "sandbox", "up", "--state-file", str(paths["state"])]
    for fault in faults:
        command += ["--fault", fault]
    command += ["--owner-pid", str(_owner_pid()), "--cleanup-dir", str(shared_dir)]
    pass_fds: tuple[int, ...] = ()
    lifeline: int | None = None
    if not _in_xdist_worker():  # a worker may exit before the others: only the controller's lifeline is the run's
        read_end, lifeline = os.pipe()
        pass_fds = (read_end,)
        command += ["--lifeline-fd", str(read_end)]
    try:
        with paths["log"].open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                pass_fds=pass_fds,
            )
    except BaseException:
        for fd in (*pass_fds, *([lifeline] if lifeline is not None else [])):
            os.close(fd)
        raise
    for fd in pass_fds:
        os.close(fd)  # only the sandbox holds the read end
    if lifeline is not None:
        _LIFELINES[shared_dir] = lifeline
    paths["pid"].write_text(str(process.pid))
    deadline = time.monotonic() + timeout_s
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
        f"the local sandbox did not write its state file within {timeout_s:g} s ({START_TIMEOUT_ENV} sets the "
        f"bound):\n{_log_tail(paths['log'])}"
    )


def start_run_sandbox(shared_dir: Path, faults: tuple[str, ...], cwd: Path) -> Path | None:
    """Controller, `pytest_sessionstart` (kind local, no --sandbox-state): start the run's sandbox now, tied to
    this process. Never raises: a failure is recorded in the shared dir, and each check's `env` fixture
    (`ensure_sandbox`) then ends `error` with the same message. Returns the state file, or None on failure."""
    try:
        return ensure_sandbox(shared_dir, faults=faults, cwd=cwd)
    except SandboxError:
        return None


def run_sandbox_state(state: RunState, *, cwd: Path) -> Path:
    """The `env` fixture's one call on kind local: the state file of the run's sandbox (--sandbox-state, or the
    one this run started, starting it if needed), and this process's HttpClients name the run to it (a sandbox
    shared by concurrent runs gives each its own stage throttle)."""
    name_the_run(state.run_id)
    return state.sandbox_state or ensure_sandbox(state.shared_dir, faults=state.sandbox_faults, cwd=cwd)


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


MEASURE_LOCK_SUFFIX = ".measure.lock"
MEASURE_WAIT_S = 600.0  # another run's load phase on the same sandbox takes a minute or two


@contextlib.contextmanager
def measuring_alone(state_file: Path | None, *, wait_s: float = MEASURE_WAIT_S) -> Iterator[float]:
    """Hold the sandbox's measurement lock for the block (an flock beside its state file), so that the load
    phases of several runs sharing one sandbox (`--sandbox-state`) take turns instead of halving each other's
    throughput: a latency measured while another run loads the same single-process sandbox is not the target's.
    Yields the seconds waited; no state file (an AWS env) → no lock. Waiting longer than `wait_s` is a
    SandboxError (the check ends `error`), never a measurement taken anyway."""
    if state_file is None:
        yield 0.0
        return
    lock = state_file.with_name(state_file.name + MEASURE_LOCK_SUFFIX)
    started = time.monotonic()
    with lock.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > wait_s:
                    raise SandboxError(
                        f"another run kept measuring on this sandbox for {wait_s:.0f} s ({lock}): not measured"
                    ) from None
                time.sleep(POLL_S)  # bounded wait for the other run's load phase to end
        try:
            yield time.monotonic() - started
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    """SIGTERM the sandbox's process group, wait with a bound, SIGKILL as the last resort; then drop the lifeline
    and any state file a killed sandbox could not remove."""
    paths = _paths(shared_dir)
    try:
        if paths["pid"].is_file():
            pid = int(paths["pid"].read_text())
            paths["pid"].unlink()
            _terminate(pid)
    finally:
        lifeline = _LIFELINES.pop(shared_dir, None)
        if lifeline is not None:
            os.close(lifeline)
        paths["state"].unlink(missing_ok=True)


def _terminate(pid: int) -> None:
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(POLL_S)
