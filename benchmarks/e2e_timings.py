"""E2E suite timings: run `pytest suites/e2e --env local` N times (each with its own sandbox) and print the wall
time of each run, the per-check seconds (from results.json) and the outcome counts; a flake shows as a run whose
counts differ. With --fault NAME the sandbox starts with that fault and the checks that did not pass are listed.

Run: .venv/bin/python benchmarks/e2e_timings.py [--runs 5] [--fault NAME] [-- extra pytest args]
Prints figures; asserts nothing (exit 1 only when a healthy run had a check that did not pass).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTEST = ROOT / ".venv" / "bin" / "pytest"


def run_once(report_dir: Path, fault: str | None, extra: list[str]) -> tuple[float, dict[str, Any]]:
    command = [str(PYTEST), "suites/e2e", "--env", "local", "-q", "-p", "no:warnings", "--report-dir", str(report_dir)]
    command += ["--sandbox-fault", fault] if fault else []
    started = time.monotonic()
    subprocess.run([*command, *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.monotonic() - started
    results = report_dir / "results.json"
    return wall, json.loads(results.read_text()) if results.is_file() else {"run": {}, "checks": []}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--fault", default=None)
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()

    durations: dict[str, list[float]] = defaultdict(list)
    not_passed = 0
    with tempfile.TemporaryDirectory(prefix="hhl-e2e-timings-") as tmp:
        for index in range(1, args.runs + 1):
            wall, results = run_once(Path(tmp) / f"run-{index}", args.fault, args.extra)
            checks = results["checks"]
            counts = Counter(c["status"] for c in checks)
            bad = [f"{c['id']}={c['status']}" for c in checks if c["status"] != "passed"]
            not_passed += len(bad) if not args.fault else 0
            verdict = results["run"].get("verdict", "?")
            print(f"run {index}: wall {wall:5.1f} s  {dict(counts)}  verdict {verdict}  {' '.join(bad)}")
            for check in checks:
                durations[check["id"]].append(check["duration_ms"] / 1000)
    if durations:
        print(f"\n{'check':48} {'median s':>9} {'max s':>7}")
        for check_id, values in durations.items():
            print(f"{check_id:48} {statistics.median(values):9.2f} {max(values):7.2f}")
        total = sum(statistics.median(v) for v in durations.values())
        print(f"{'sum of check medians':48} {total:9.2f}")
    return 1 if not_passed else 0


if __name__ == "__main__":
    sys.exit(main())
