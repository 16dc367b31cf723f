"""moto in a child process: the sandbox's AWS answers on the second core while the orchestrator works on the first.

`python -m sandbox.aws.moto_process --port N` starts moto (with the sandbox's DynamoDB serialisation), prints
`ready <port>` once it accepts requests, and runs until SIGTERM/SIGINT or until its parent dies.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from sandbox.aws.moto_server import MotoHandle, start_moto

READY_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1


class MotoStartError(RuntimeError):
    """The moto child did not come up; the message says why."""


@dataclass
class MotoProcess:
    """The child process behind a MotoHandle (it only needs `stop()`)."""

    process: subprocess.Popen[str] = field(repr=False)

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


def _warm_up() -> None:
    """Pay moto's slowest first-use costs (CloudFormation's import, IAM's managed-policy load) while the
    orchestrator is still importing its own modules, instead of inside the first provisioning calls."""
    from moto.cloudformation import models as _cloudformation  # noqa: F401  (≈0.8 s import)
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.ssm import models as _ssm  # noqa: F401  (≈1 s import: the CRM consumer's token parameter)

    iam_backends[DEFAULT_ACCOUNT_ID]["global"]


def _read_ready_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MotoStartError(f"moto exited with {process.returncode} before it was ready")
        readable, _, _ = select.select([process.stdout], [], [], 0.1)
        if readable:
            return process.stdout.readline().strip()
    raise MotoStartError(f"moto was not ready within {READY_TIMEOUT_S:.0f} s")


def start_moto_process(port: int = 0) -> MotoHandle:
    """Start moto in a child process on 127.0.0.1; returns once it accepts requests."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.aws.moto_process", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=None,  # moto's own errors stay visible on the orchestrator's stderr
        text=True,
        preexec_fn=_die_with_parent,
    )
    try:
        line = _read_ready_line(process, time.monotonic() + READY_TIMEOUT_S)
        if not line.startswith("ready "):
            raise MotoStartError(f"moto answered {line!r} instead of its ready line")
        return MotoHandle(port=int(line.split()[1]), _server=MotoProcess(process))
    except BaseException:
        MotoProcess(process).stop()
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.aws.moto_process")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    handle = start_moto(args.port)
    print(f"ready {handle.port}", flush=True)
    threading.Thread(target=_warm_up, name="moto-warm-up", daemon=True).start()
    stop.wait()
    handle.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
