"""`python -m sandbox up|faults`: the whole system under test on loopback (SPEC §1, issue 3 interface)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from sandbox.faults import FAULTS, unknown_faults
from sandbox.ports import PortInUseError, choose_ports


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the sandbox and run until SIGINT/SIGTERM")
    up.add_argument("--state-file", type=Path, required=True, help="where to write the JSON state once ready")
    up.add_argument("--fault", action="append", default=[], metavar="NAME", help="plant a catalog fault (repeatable)")
    up.add_argument("--port-base", type=int, default=None, help="pin ports: N site, N+1 API, N+2 hosted UI, ...")
    sub.add_parser("faults", help="list the fault catalog")
    return parser


def _list_faults() -> int:
    for fault in FAULTS.values():
        wave = " (second wave, not available)" if fault.second_wave else ""
        print(f"{fault.name:36} {fault.defect}{wave}")
        print(f"{'':36} caught by: {', '.join(fault.caught_by)}; verdict {fault.verdict}")
    return 0


def _write_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.chmod(tmp, 0o600)  # holds the per-run test passwords
    tmp.replace(path)  # atomic: readers never see a half-written file


def _up(args: argparse.Namespace) -> int:
    bad = unknown_faults(args.fault)
    if bad:
        print(f"sandbox: unknown fault(s): {', '.join(bad)} (see `python -m sandbox faults`)", file=sys.stderr)
        return 2
    from sandbox.compose import SandboxStartError, start_sandbox

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    started = time.monotonic()
    try:
        ports = choose_ports(args.port_base)
        sandbox = start_sandbox(ports, frozenset(args.fault))
    except (PortInUseError, SandboxStartError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one clear line for the user; the traceback only on request
        if os.environ.get("HHL_SANDBOX_DEBUG"):
            raise
        print(
            f"sandbox: failed to start: {type(exc).__name__}: {exc} (HHL_SANDBOX_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
    try:
        _write_state(args.state_file, sandbox.state)
        elapsed = time.monotonic() - started
        print(f"sandbox ready in {elapsed:.2f} s: site {sandbox.urls.site}, api {sandbox.urls.api}", flush=True)
        stop.wait()
    finally:
        sandbox.stop()
        args.state_file.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "faults":
        return _list_faults()
    return _up(args)


if __name__ == "__main__":
    sys.exit(main())
