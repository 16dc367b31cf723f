"""Sandbox cold start against a bare moto server, on the same machine (issue 13, "Sandbox start").

Both are timed the same way, from process start to ready, median of N runs, interleaved so that a load spike on
this shared machine hits both:
- bare moto: `python -m moto.server` until its first successful HTTP answer;
- sandbox: `python -m sandbox up` until the state file exists (written once every server answers).
The ratio sandbox / moto is the figure the issue's target is about (≤ 5×). Also prints the RSS of the sandbox tree.

One untimed sandbox start comes first: it fills the provisioning snapshot for these inputs (sandbox/aws/
snapshot_cache.py), so the medians are the start every harness run but the first one gets. With
HHL_SANDBOX_SNAPSHOTS=0 in the environment every start provisions instead (the path of a first run).

Run: .venv/bin/python benchmarks/sandbox_startup.py [runs]. Prints figures; asserts nothing (a shared, noisy machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.ports import free_port
from tests.sandbox import sandbox_process

READY_TIMEOUT_S = 30.0


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


def bare_moto_seconds() -> float:
    """Process start to the first successful HTTP answer of a bare `python -m moto.server` on loopback."""
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = started + READY_TIMEOUT_S
        with httpx.Client(timeout=2.0) as client:
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{port}/moto-api/").is_success:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"bare moto not answering on port {port} (exit code {process.poll()})")
                time.sleep(0.01)  # polling the listener with a deadline
    finally:
        process.kill()
        process.wait(timeout=5)


def sandbox_seconds() -> tuple[float, float]:
    """Process start to the state file of `python -m sandbox up`; and the tree's RSS at that moment (MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        proc = sandbox_process.start(Path(tmp) / "state.json")
        elapsed = time.monotonic() - started
        memory = rss_mib(proc.process.pid)
        proc.stop()
    return elapsed, memory


def _summary(name: str, values: list[float]) -> str:
    return f"{name}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main(runs: int = 5) -> None:
    if runs < 1:
        raise SystemExit(f"runs must be at least 1, got {runs}")
    moto_times: list[float] = []
    sandbox_times: list[float] = []
    memory: list[float] = []
    sandbox_seconds()  # untimed: fills the snapshot cache and the page cache
    for _ in range(runs):
        moto_times.append(bare_moto_seconds())
        elapsed, rss = sandbox_seconds()
        sandbox_times.append(elapsed)
        memory.append(rss)
    moto_median, sandbox_median = statistics.median(moto_times), statistics.median(sandbox_times)
    print(f"over {runs} runs each, interleaved:")
    print(_summary("bare moto server to first answer", moto_times))
    print(_summary("sandbox to ready (state file)", sandbox_times))
    print(f"ratio sandbox / bare moto: {sandbox_median / moto_median:.1f}x (target <= 5x)")
    print(f"resident memory of the sandbox tree when ready: median {statistics.median(memory):.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
