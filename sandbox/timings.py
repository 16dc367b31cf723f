"""Phase timestamps of a sandbox start, for finding where the start-up time goes (issue 13, "Sandbox start").

`HHL_SANDBOX_TIMINGS=1 python -m sandbox up ...` prints one line per phase on stderr once the sandbox is ready:
seconds since the interpreter started (from /proc, so the interpreter's own start and the first imports count)
and the phase's own duration where it has one. Off by default: recording is a dict append, printing is opt-in.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["mark", "phase", "report", "since_process_start"]

ENV_SWITCH = "HHL_SANDBOX_TIMINGS"

_lock = threading.Lock()
_marks: list[tuple[float, float, str]] = []  # (offset at end, duration, name)


def _process_start_monotonic() -> float:
    """time.monotonic() at this process's start (Linux /proc: start time in clock ticks since boot)."""
    try:
        with open("/proc/self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started_after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        running_for = time.clock_gettime(time.CLOCK_BOOTTIME) - started_after_boot
        return time.monotonic() - running_for
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic()  # elsewhere: offsets count from the first use of this module


_PROCESS_START = _process_start_monotonic()


def since_process_start() -> float:
    return time.monotonic() - _PROCESS_START


def mark(name: str, duration: float = 0.0) -> None:
    with _lock:
        _marks.append((since_process_start(), duration, name))


@contextmanager
def phase(name: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        mark(name, time.monotonic() - started)


def report(prefix: str = "sandbox timing") -> None:
    """Print the recorded phases on stderr when HHL_SANDBOX_TIMINGS is set."""
    if not os.environ.get(ENV_SWITCH):
        return
    with _lock:
        marks = sorted(_marks)
    for offset, duration, name in marks:
        took = f" (took {duration:.3f} s)" if duration else ""
        print(f"{prefix}: {offset:7.3f} s {name}{took}", file=sys.stderr, flush=True)
