"""CRM sync end to end on the sandbox: event→property latency (p50/p95/max) for 20 enrollments, per run and over runs.

API → DynamoDB (moto) → stream → poller (0.5 s) → the CRM consumer → HubSpot stand-in. Each run starts a fresh sandbox
and one fresh user, and sends each enrollment once the previous one is on the contact. Prints figures; asserts
nothing (a shared, noisy machine). Issue 11's target: p95 under 3 s, the poller's interval included.

    .venv/bin/python benchmarks/crm_sync_latency.py [--runs 5] [--events 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "backend")]

from tests.sandbox import crm_sync, sandbox_process  # noqa: E402


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    run_p50: list[float] = []
    run_p95: list[float] = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            proc = sandbox_process.start(Path(tmp) / "state.json")
            try:
                latencies, sent, final, _ = crm_sync.measure_enrollments(proc.state(), args.events)
            finally:
                proc.stop()
        run_p50.append(statistics.median(latencies))
        run_p95.append(p95(latencies))
        print(
            f"run {run}: {len(sent & final)}/{len(sent)} reflected; p50 {run_p50[-1]:.2f} s, p95 {run_p95[-1]:.2f} s, "
            f"max {max(latencies):.2f} s"
        )
    print(
        f"event→property latency, {args.events} events × {args.runs} runs: "
        f"median p50 {statistics.median(run_p50):.2f} s, median p95 {statistics.median(run_p95):.2f} s"
        " (target p95 < 3 s)"
    )


if __name__ == "__main__":
    main()
