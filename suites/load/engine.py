"""The load engine: Locust used as a library, in a child process of the harness (suites/load/runner.py drives it).
This module imports no Locust itself: it reads the plan and starts any local workers first, so that their start
(each imports Locust) overlaps the master's, and only then loads the Locust side (suites/load/locust_run.py).

    python -m suites.load.engine run --out REPORT.json     < plan.json   (the plan and its cookies on stdin)
    python -m suites.load.engine worker --master-host H --master-port P   (one worker of a distributed run)

`run` with `engine.workers` 0 uses Locust's LocalRunner; with N it is a Locust master that starts N local worker
processes (or waits for N `external_workers` started elsewhere). Logs go to stderr at WARNING."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from suites.load.plan import LoadPlan

WORKER_EXIT_S = 10.0


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_workers(count: int, host: str, port: int) -> Iterator[None]:
    """`count` worker processes of this engine on this machine, ended (by their own pid) on the way out. Started
    before the master binds: each worker's first message waits in ZeroMQ's queue until the master listens."""
    argv = [sys.executable, "-m", "suites.load.engine", "worker", "--master-host", host, "--master-port", str(port)]
    workers = [subprocess.Popen(argv, stdin=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield
    finally:
        for worker in workers:
            try:
                worker.wait(timeout=WORKER_EXIT_S)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def run(plan: LoadPlan) -> dict[str, Any]:
    settings = plan.engine
    if not settings.workers:
        from suites.load import locust_run  # here: Locust's import patches the process

        return locust_run.run_local(plan)
    if settings.external_workers:
        if not settings.master_port:
            raise ValueError("external workers need a fixed load.master_port to connect to")
        from suites.load import locust_run

        return locust_run.run_distributed(plan, settings.master_port)
    port = settings.master_port or _free_port(settings.master_bind_host)
    with local_workers(settings.workers, settings.master_bind_host, port):
        from suites.load import locust_run

        return locust_run.run_distributed(plan, port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m suites.load.engine", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser("run", help="run the plan read from stdin; write the report to --out")
    run_command.add_argument("--out", required=True)
    worker = commands.add_parser("worker", help="one worker of a distributed run")
    worker.add_argument("--master-host", required=True)
    worker.add_argument("--master-port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.command == "worker":
        from suites.load import locust_run

        locust_run.run_worker(args.master_host, args.master_port)
        return 0
    try:
        report = run(LoadPlan.from_json(sys.stdin.read()))
    except (ValueError, TimeoutError) as exc:
        print(f"load engine: {exc}", file=sys.stderr)
        return 2
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(report, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
