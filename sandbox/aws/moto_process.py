"""moto in a child process: the sandbox's AWS answers on the second core while the orchestrator works on the first.

`python -m sandbox.aws.moto_process --port N` starts moto (with the sandbox's DynamoDB serialisation), prints
`ready <port> fresh` once it accepts requests, and runs until SIGTERM/SIGINT or until its parent dies.

With `--restore`, the first line on stdin is a JSON request `{"snapshot": path, "fill": {...}, "blobs": {...}}`:
the saved state (sandbox/aws/moto_snapshot.py) is installed before the port opens, and the ready line says
`restored` (or `fresh`, with the reason on stderr, when the file could not be used). Later stdin lines
`{"save": path, "replace": {...}, "blobs": {...}}` write a snapshot; each is answered `saved <bytes>` or
`unsaved <reason>`. Values travel over the pipe, never on the command line (visible to every local user).

After a restore, the snapshot's later part (LATER_SERVICES, CPU-heavy) is installed once the orchestrator sends
`{"finish": true}` (unanswered), once a request for one of those services arrives, or after FINISH_ANYWAY_S: the
orchestrator's own first calls (log streams, the poller's shards) are then not slowed by it holding this GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox import timings
from sandbox.aws.moto_server import MotoHandle, start_moto
from sandbox.ports import release

READY_TIMEOUT_S = 30.0
FINISH_ANYWAY_S = 5.0  # the later part is installed by then even if nobody asked for it
_PR_SET_PDEATHSIG = 1


class MotoStartError(RuntimeError):
    """The moto child did not come up; the message says why."""


@dataclass
class MotoProcess:
    """The child process behind a MotoHandle (it only needs `stop()`)."""

    process: subprocess.Popen[str] = field(repr=False)
    restored: bool = False  # the state came from a snapshot
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def save_snapshot(self, path: Path, replace: Mapping[str, str], blobs: Mapping[str, Path]) -> int:
        """Have the child write its state to `path` (see moto_snapshot.dump); returns its size."""
        from sandbox.aws.moto_snapshot import SnapshotError

        request = {"save": str(path), "replace": dict(replace), "blobs": {k: str(v) for k, v in blobs.items()}}
        with self._lock:  # one request and its answer at a time
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
            except OSError as exc:
                raise SnapshotError(f"moto child gone: {exc.strerror}") from None
            answer = _read_line(self.process, time.monotonic() + READY_TIMEOUT_S)
        if not answer.startswith("saved "):
            raise SnapshotError(answer.removeprefix("unsaved ") or "moto child gave no answer")
        return int(answer.split()[1])

    def finish_restore(self) -> None:
        """Let the child install its snapshot's later part now (see the module docstring); a no-op when fresh."""
        if not self.restored:
            return
        with self._lock, contextlib.suppress(OSError):  # a child gone is reported by its next caller
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"finish": True}) + "\n")
            self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM when the orchestrator dies, even by SIGKILL, so no moto is ever orphaned.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _warm_up(after: threading.Thread | None = None) -> None:
    """Pay moto's slowest first-use costs (CloudFormation's import, IAM's managed-policy load) while the
    orchestrator is still importing its own modules, instead of inside the first provisioning calls. After a
    restore, its later part comes first (the same imports) and the phases are reported."""
    if after is not None:
        after.join()
        timings.report(prefix="moto child timing")
    from moto.cloudformation import models as _cloudformation  # noqa: F401  (≈0.8 s import)
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.ssm import models as _ssm  # noqa: F401  (≈1 s import: the CRM consumer's token parameter)

    iam_backends[DEFAULT_ACCOUNT_ID]["global"]


def _read_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MotoStartError(f"moto exited with {process.returncode}")
        readable, _, _ = select.select([process.stdout], [], [], 0.1)
        if readable:
            return process.stdout.readline().strip()
    raise MotoStartError(f"moto did not answer within {READY_TIMEOUT_S:.0f} s")


@dataclass
class PendingMoto:
    """A moto child that is still starting: the caller works on meanwhile and calls `wait_ready()` when it needs it."""

    process: subprocess.Popen[str] = field(repr=False)

    def wait_ready(self) -> MotoHandle:
        try:
            line = _read_line(self.process, time.monotonic() + READY_TIMEOUT_S)
            words = line.split()
            if len(words) != 3 or words[0] != "ready":
                raise MotoStartError(f"moto answered {line!r} instead of its ready line")
            server = MotoProcess(self.process, restored=words[2] == "restored")
            return MotoHandle(port=int(words[1]), _server=server)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        MotoProcess(self.process).stop()


def launch_moto_process(
    port: int = 0,
    *,
    restore: Path | None = None,
    fill: Mapping[str, str] = {},
    blobs: Mapping[str, Path] = {},
    finish_anyway_s: float = FINISH_ANYWAY_S,
) -> PendingMoto:
    """Start moto in a child process on 127.0.0.1 (optionally from a snapshot); returns at once."""
    release(port)  # a port chosen for moto was held until now, for the child to bind
    command = [sys.executable, "-m", "sandbox.aws.moto_process", "--port", str(port)]
    if restore:
        command += ["--restore", "--finish-anyway-s", str(finish_anyway_s)]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,  # moto's own errors stay visible on the orchestrator's stderr
        text=True,
        preexec_fn=_die_with_parent,
    )
    if restore:
        assert process.stdin is not None
        request = {"snapshot": str(restore), "fill": dict(fill), "blobs": {k: str(v) for k, v in blobs.items()}}
        with contextlib.suppress(OSError):  # a child that died at once is reported by wait_ready
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
    return PendingMoto(process)


def start_moto_process(port: int = 0) -> MotoHandle:
    """Start moto in a child process on 127.0.0.1; returns once it accepts requests."""
    return launch_moto_process(port).wait_ready()


def _blobs(request: dict[str, Any]) -> dict[str, bytes]:
    return {name: Path(path).read_bytes() for name, path in request.get("blobs", {}).items()}


def _restore(request_line: str) -> Callable[[], None] | None:
    """Install the snapshot named in the request; returns what installs its later part (or None: nothing used)."""
    from sandbox.aws import moto_server
    from sandbox.aws.moto_snapshot import SnapshotError, restore

    moto_server.prepare()  # before moto's models load: they ask botocore for regions at import
    try:
        request = json.loads(request_line)
        return restore(Path(request["snapshot"]), request["fill"], _blobs(request))
    except (SnapshotError, OSError, ValueError, KeyError) as exc:
        print(f"moto: snapshot not used: {exc}", file=sys.stderr, flush=True)
        return None


_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/[^/,]+/[^/,]+/([^/,]+)/aws4_request")


@dataclass(frozen=True)
class LaterPart:
    """The snapshot's later part: `go` starts installing it, `done` tells that it is installed (or given up)."""

    go: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


def _hold_services(services: frozenset[str], later: LaterPart) -> None:
    """Requests signed for `services` start the later part's install and wait until it is done (their state is
    still being restored); every other request is served at once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def call(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        if not later.done.is_set():
            scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
            if scope and scope.group(1) in services:
                later.go.set()  # wanted now: no need to wait for the orchestrator's word
                later.done.wait(READY_TIMEOUT_S)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call  # type: ignore[method-assign]


def _finish_restore(install_later: Callable[[], None], later: LaterPart, anyway_s: float) -> None:
    from sandbox.aws.moto_snapshot import SnapshotError

    later.go.wait(anyway_s)
    try:
        install_later()
        timings.mark("moto child: later part restored")
    except SnapshotError as exc:  # their services answer as empty ones: the checks on them say so
        print(f"moto: snapshot's later part not used: {exc}", file=sys.stderr, flush=True)
    finally:
        later.done.set()


def _serve_requests(warm_up: threading.Thread, later: LaterPart | None) -> None:
    from sandbox.aws.moto_snapshot import SnapshotError, dump

    for line in sys.stdin:
        try:
            request = json.loads(line)
            if "finish" in request:
                if later is not None:
                    later.go.set()
                continue
            warm_up.join()  # it creates backends: the state must hold still while it is pickled
            answer = f"saved {dump(Path(request['save']), request['replace'], _blobs(request))}"
        except (SnapshotError, OSError, ValueError, KeyError) as exc:
            answer = f"unsaved {type(exc).__name__}: {exc}".replace("\n", " ")
        print(answer, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.aws.moto_process")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--restore", action="store_true", help="restore the snapshot named on stdin first")
    parser.add_argument("--finish-anyway-s", type=float, default=FINISH_ANYWAY_S, help="see FINISH_ANYWAY_S")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    timings.mark("moto child: started")
    install_later = _restore(sys.stdin.readline()) if args.restore else None
    timings.mark("moto child: state restored" if install_later else "moto child: nothing restored")
    handle = start_moto(args.port)
    finishing, later = None, None
    if install_later is not None:
        from sandbox.aws.moto_snapshot import LATER_SERVICES

        later = LaterPart()
        _hold_services(LATER_SERVICES, later)
        finishing = threading.Thread(
            target=_finish_restore, args=(install_later, later, args.finish_anyway_s), name="moto-restore"
        )
        finishing.start()
    print(f"ready {handle.port} {'restored' if install_later else 'fresh'}", flush=True)
    timings.mark("moto child: ready")
    warm_up = threading.Thread(target=_warm_up, args=(finishing,), name="moto-warm-up", daemon=True)
    warm_up.start()
    threading.Thread(target=_serve_requests, args=(warm_up, later), name="moto-requests", daemon=True).start()
    stop.wait()
    handle.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
