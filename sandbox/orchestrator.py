"""The life of the `python -m sandbox up` process: it runs until told to stop and never outlives its owner.

Causes of a shutdown, all ending with the state file (which holds the test users' passwords) removed:

- SIGTERM / SIGINT: graceful stop of the servers and moto, bounded by `HARD_EXIT_S`;
- the lifeline: `--lifeline-fd N` is the read end of a pipe whose write end only the launching process holds.
  EOF on it means the launcher is gone, whatever killed it (SIGKILL included: the kernel closes its fds);
- the owner: `--owner-pid P` (the harness's controller process) exits, watched through a pidfd (no pid reuse
  race) or, without pidfd support, by polling;
- a failure to start (the state file is never left behind half-written).

When the owner is gone there is nobody to talk to: the sandbox removes its state file (and `--cleanup-dir`, the
run's shared directory the dead harness could not remove), kills moto and exits at once, so every port is free
within a fraction of a second. A graceful stop that takes longer than `HARD_EXIT_S` is cut short the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HARD_EXIT_S = 1.5  # a stop never takes longer than this, whatever hangs
OWNER_POLL_S = 0.2  # fallback when pidfds are unavailable
CLEANUP_DIR_PREFIX = "hhl-run-"  # only a harness run's shared directory is ever removed

MEASURE_LOCK_SUFFIX = ".measure.lock"  # checks.plugin.sandbox.MEASURE_LOCK_SUFFIX: the harness takes it


class Interrupted(BaseException):
    """Raised in the main thread when a stop is requested while the sandbox is still starting."""


def write_private(path: Path, text: str) -> None:
    """Write `text` atomically to `path`, readable by the owner only from the first byte (0600, never 0644
    for a moment: the file holds the test users' passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)  # O_CREAT's mode is masked by the umask; never wider than 0600 anyway
    tmp.replace(path)  # atomic: readers never see a half-written file


class Lifetime:
    """Stop requests from signals, the lifeline and the owner's death, and the cleanup that always follows."""

    def __init__(self, state_file: Path, *, cleanup_dir: Path | None = None) -> None:
        self.state_file = state_file
        self.cleanup_dir = cleanup_dir
        self.reason = ""
        self.orphaned = False
        self._kill_children: Callable[[], None] = lambda: None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._running = False

    # --- wiring -------------------------------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def watch_lifeline(self, fd: int) -> None:
        threading.Thread(target=self._wait_for_eof, args=(fd,), name="sandbox-lifeline", daemon=True).start()

    def watch_owner(self, pid: int) -> None:
        threading.Thread(target=self._wait_for_exit, args=(pid,), name="sandbox-owner", daemon=True).start()

    def set_kill_children(self, kill: Callable[[], None]) -> None:
        """How to end the child processes (moto) at once, for the hard exit."""
        self._kill_children = kill

    def running(self) -> None:
        """Start-up is over: from now on a stop request ends `wait()` instead of interrupting the start."""
        with self._lock:
            self._running = True
        if self._stop.is_set():
            raise Interrupted(self.reason)

    # --- requests -----------------------------------------------------------------------------------------------

    def request_stop(self, reason: str, *, orphaned: bool = False) -> None:
        """Stop once. Orphaned: exit at once (from any thread). Else the main thread's `wait()` returns (or,
        during start-up, the signal handler raises Interrupted) and the watchdog bounds what follows."""
        with self._lock:
            first = not self._stop.is_set()
            if first:
                self.reason, self.orphaned = reason, orphaned
                self._stop.set()
        if not first:
            return
        if orphaned:
            self.hard_exit(0)  # nobody is left to stop gracefully for
        threading.Thread(target=self._watchdog, name="sandbox-stop-watchdog", daemon=True).start()

    def wait(self) -> str:
        self._stop.wait()
        return self.reason

    def remove_state_file(self) -> None:
        with contextlib.suppress(OSError):
            self.state_file.unlink(missing_ok=True)
        for suffix in (".tmp", MEASURE_LOCK_SUFFIX):  # the half-written copy; the harness's lock beside it
            with contextlib.suppress(OSError):
                self.state_file.with_name(self.state_file.name + suffix).unlink(missing_ok=True)

    def measurement_in_progress(self) -> bool:
        """Whether a harness holds the measurement lock beside the state file (checks.plugin.sandbox.measuring_alone:
        an flock), probed without waiting and released at once."""
        lock = self.state_file.with_name(self.state_file.name + MEASURE_LOCK_SUFFIX)
        try:
            with lock.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
        except BlockingIOError:
            return True
        except OSError:
            return False  # no lock file: nobody has measured yet
        return False

    def hard_exit(self, status: int) -> None:
        """State file gone, children killed, process ended: no handler, no thread join, nothing can hang."""
        self.remove_state_file()
        with contextlib.suppress(Exception):
            self._kill_children()
        self.remove_state_file()  # again: the main thread may have been renaming it into place meanwhile
        if self.orphaned and self.cleanup_dir is not None and self.cleanup_dir.name.startswith(CLEANUP_DIR_PREFIX):
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(status)

    # --- threads and handlers -----------------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        with self._lock:
            starting = not self._running
        self.request_stop(self.reason or name)
        if starting:
            raise Interrupted(self.reason)

    def _wait_for_eof(self, fd: int) -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 4096):  # the launcher never writes; anything read is ignored
                pass
        self.request_stop("the launching process is gone (lifeline closed)", orphaned=True)

    def _wait_for_exit(self, pid: int) -> None:
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pidfd = None
        if pidfd is None:
            while Path(f"/proc/{pid}").exists():
                time.sleep(OWNER_POLL_S)  # fallback (no pidfd): poll of the owner's existence, with no deadline
        else:
            select.select([pidfd], [], [])  # readable once the process has exited
            os.close(pidfd)
        self.request_stop(f"the owning process {pid} is gone", orphaned=True)

    def _watchdog(self) -> None:
        time.sleep(HARD_EXIT_S)  # a deadline, not synchronisation: the graceful stop had its chance
        print(f"sandbox: stop took longer than {HARD_EXIT_S} s; exiting hard", file=sys.stderr, flush=True)
        self.hard_exit(1)
