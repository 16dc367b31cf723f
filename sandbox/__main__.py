"""`python -m sandbox up|faults`: the whole system under test on loopback (SPEC §1, issue 3 interface)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from sandbox import timings
from sandbox.faults import FAULTS, PROFILES, unknown_faults
from sandbox.niceness import carry_nice_to_autogroup
from sandbox.orchestrator import Interrupted, Lifetime, write_private
from sandbox.ports import PortInUseError, choose_ports


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the sandbox and run until SIGINT/SIGTERM")
    up.add_argument("--state-file", type=Path, required=True, help="where to write the JSON state once ready")
    up.add_argument("--fault", action="append", default=[], metavar="NAME", help="plant a catalog fault (repeatable)")
    up.add_argument("--port-base", type=int, default=None, help="pin ports: N site, N+1 API, N+2 hosted UI, ...")
    up.add_argument(
        "--lifeline-fd",
        type=int,
        default=None,
        metavar="FD",
        help="read end of a pipe only the launcher holds: EOF (the launcher died, even by SIGKILL) stops the sandbox",
    )
    up.add_argument("--owner-pid", type=int, default=None, metavar="PID", help="stop when this process exits")
    up.add_argument(
        "--cleanup-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the owner's run directory (hhl-run-*), removed when the owner died without removing it",
    )
    sub.add_parser("faults", help="list the fault catalog")
    return parser


def _list_faults() -> int:
    for fault in FAULTS.values():
        wave = " (second wave, not available)" if fault.second_wave else ""
        print(f"{fault.name:36} {fault.defect}{wave}")
        print(f"{'':36} caught by: {', '.join(fault.caught_by)}; verdict {fault.verdict}")
    for profile, members in PROFILES.items():
        print(f"{profile:36} composite: {', '.join(members)}")
    return 0


def _lifetime(args: argparse.Namespace) -> Lifetime:
    lifetime = Lifetime(args.state_file, cleanup_dir=args.cleanup_dir)
    lifetime.install_signal_handlers()
    if args.lifeline_fd is not None:
        lifetime.watch_lifeline(args.lifeline_fd)
    if args.owner_pid is not None:
        lifetime.watch_owner(args.owner_pid)
    return lifetime


def _up(args: argparse.Namespace) -> int:
    bad = unknown_faults(args.fault)
    if bad:
        print(f"sandbox: unknown fault(s): {', '.join(bad)} (see `python -m sandbox faults`)", file=sys.stderr)
        return 2
    lifetime = _lifetime(args)  # before anything starts: an owner dying during start-up stops it too
    carry_nice_to_autogroup()  # the harness starts its sandbox in a session of its own (sandbox.niceness)
    try:
        return _run(args, lifetime)
    finally:
        lifetime.remove_state_file()


def _run(args: argparse.Namespace, lifetime: Lifetime) -> int:
    timings.mark("main imports done")
    from sandbox.compose import SandboxStartError, start_sandbox

    timings.mark("compose imported")
    started = time.monotonic()
    try:
        ports = choose_ports(args.port_base)
        sandbox = start_sandbox(ports, frozenset(args.fault))
    except Interrupted as exc:
        print(f"sandbox: stopped while starting ({exc})", file=sys.stderr)
        return 1
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
        lifetime.set_kill_children(sandbox.kill_children)
        assert sandbox.state is not None, "start_sandbox returns a sandbox with its state"
        write_private(args.state_file, sandbox.state.file_text())  # 0600: holds the test users' passwords
        if sandbox.crm is not None:  # the CRM sync waits while a harness measures the API's latency
            sandbox.crm.poller.paused = lifetime.measurement_in_progress
        lifetime.running()
        elapsed = time.monotonic() - started
        urls = sandbox.urls
        origin = "restored from a snapshot" if sandbox.from_snapshot else "provisioned"
        print(
            f"sandbox ready in {elapsed:.2f} s ({origin}): site {urls.site}, api {urls.api}, crm {urls.crm}",
            flush=True,
        )
        timings.mark("state file written")
        timings.report()
        lifetime.wait()
    except Interrupted:
        pass  # a stop requested while the state file was being written: same cleanup as any stop
    finally:
        lifetime.remove_state_file()  # first: nobody may pick up a sandbox that is going away
        sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "faults":
        return _list_faults()
    return _up(args)


if __name__ == "__main__":
    sys.exit(main())
