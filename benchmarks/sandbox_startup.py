"""Sandbox cold start: time from `python -m sandbox up` to the state file (median of 5) and the RSS of its tree.

Run: .venv/bin/python benchmarks/sandbox_startup.py [runs]. Prints figures; asserts nothing (a shared, noisy machine).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sandbox import sandbox_process


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, from /proc (Linux)."""
    total_kib = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total_kib += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        pids.extend(int(child) for child in children)
    return total_kib / 1024


def main(runs: int = 5) -> None:
    times: list[float] = []
    memory: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            proc = sandbox_process.start(Path(tmp) / "state.json")
            times.append(time.monotonic() - started)
            memory.append(rss_mib(proc.process.pid))
            proc.stop()
    print(
        f"sandbox cold start to ready over {runs} runs: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f})"
    )
    print(f"resident memory of the sandbox tree when ready: median {statistics.median(memory):.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
