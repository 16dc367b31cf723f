"""The sandbox never outlives the harness that launched it: SIGKILL of the launcher (no handler can run) still
takes the sandbox and its moto child down, frees every port within 2 s and removes the state file holding the
test users' passwords. SIGTERM of the sandbox removes it too; the file is never readable by others."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sandbox import sandbox_process
from tests.sandbox.sandbox_process import alive

pytestmark = pytest.mark.integration

GONE_WITHIN_S = 2.0
READY_TIMEOUT_S = 60.0

# A harness process in miniature: launches the run's sandbox the way the plugin does, then blocks.
LAUNCHER = """
import sys
from pathlib import Path
from checks.plugin.sandbox import {function}
state = {function}(Path(sys.argv[1]), {faults_kw}(), {cwd_kw}Path(sys.argv[2]))
print(state, flush=True)
sys.stdin.read()
"""


def _launcher(shared_dir: Path, *, controller: bool, xdist_worker: bool = False) -> subprocess.Popen[str]:
    function, faults_kw, cwd_kw = ("start_run_sandbox", "", "") if controller else ("ensure_sandbox", "faults=", "cwd=")
    script = LAUNCHER.format(function=function, faults_kw=faults_kw, cwd_kw=cwd_kw)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    if xdist_worker:
        env["PYTEST_XDIST_WORKER"] = "gw0"
    return subprocess.Popen(
        [sys.executable, "-c", script, str(shared_dir), str(sandbox_process.REPO_ROOT)],
        cwd=sandbox_process.REPO_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _wait_for_state(process: subprocess.Popen[str]) -> Path:
    assert process.stdout is not None
    line = process.stdout.readline().strip()  # the launcher prints once ensure_sandbox returned (bounded by it)
    assert line and line != "None", f"launcher did not get a sandbox (exit {process.poll()})"
    return Path(line)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _port_free(port: int) -> bool:
    """Nothing listens: a server can bind it again. SO_REUSEADDR, as every server sets it (uvicorn, werkzeug):
    connections the kernel closed for the killed process sit in TIME_WAIT on the port for a minute."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_all_gone(pids: list[int], ports: list[int], files: list[Path], timeout_s: float) -> float:
    """Seconds until every pid is gone, every port bindable and every file removed; fails after `timeout_s`."""
    started = time.monotonic()
    while True:
        left = (
            [f"pid {p}" for p in pids if alive(p)]
            + [f"port {p}" for p in ports if not _port_free(p)]
            + [str(f) for f in files if f.exists()]
        )
        elapsed = time.monotonic() - started
        if not left:
            return elapsed
        assert elapsed < timeout_s, f"still there {elapsed:.2f} s after the launcher died: {left}"
        time.sleep(0.02)  # bounded poll of the teardown


def sigkill_launcher_and_measure(shared_dir: Path, *, controller: bool = True) -> float:
    launcher = _launcher(shared_dir, controller=controller)
    try:
        state_file = _wait_for_state(launcher)
        state = sandbox_process.read_state(state_file)
        assert state.pid is not None
        sandbox_pid = state.pid
        pids = [sandbox_pid, *_children(sandbox_pid)]
        assert len(pids) >= 2, "expected the sandbox and its moto child"
        launcher.send_signal(signal.SIGKILL)
        launcher.wait(timeout=5)
        return wait_all_gone(pids, sandbox_process.listening_ports(state), [state_file, shared_dir], GONE_WITHIN_S)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(timeout=5)


def test_sigkill_of_the_launcher_takes_the_sandbox_down(tmp_path: Path) -> None:
    shared = tmp_path / "hhl-run-kill"
    shared.mkdir(mode=0o700)
    elapsed = sigkill_launcher_and_measure(shared)
    assert elapsed < GONE_WITHIN_S


def test_sigkill_of_an_xdist_worker_launcher_follows_the_controller(tmp_path: Path) -> None:
    # The lazy path in a worker watches the worker's parent (the controller): here the test process, alive,
    # so the sandbox must survive the worker's death and end only when stopped.
    from checks.plugin.sandbox import stop_sandbox

    shared = tmp_path / "hhl-run-worker"
    shared.mkdir(mode=0o700)
    worker = _launcher(shared, controller=False, xdist_worker=True)
    try:
        state_file = _wait_for_state(worker)
        state = sandbox_process.read_state(state_file)
        assert state.pid is not None
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=5)
        # Still serving after the worker is gone (bounded observation: a second of answers).
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            assert alive(state.pid) and state_file.is_file(), "the sandbox died with an xdist worker"
            time.sleep(0.1)  # observing for a bounded second, not synchronising
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=5)
        stop_sandbox(shared)
    assert not alive(state.pid) and not state_file.exists()


def test_sigterm_removes_the_state_file_and_it_was_private(tmp_path: Path) -> None:
    proc = sandbox_process.start(tmp_path / "state.json")
    mode = stat.S_IMODE((tmp_path / "state.json").stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert proc.stop() == 0
    assert not (tmp_path / "state.json").exists()
    assert not list(tmp_path.iterdir()), "nothing left next to the state file"


def test_sigterm_during_start_up_leaves_nothing(tmp_path: Path) -> None:
    process = sandbox_process.launch(tmp_path / "state.json")
    deadline = time.monotonic() + READY_TIMEOUT_S
    # Stop it as soon as it has started moto (a child process exists), before the state file is written.
    while not _children(process.pid):
        assert process.poll() is None and time.monotonic() < deadline, "sandbox never started moto"
        time.sleep(0.02)  # bounded poll for the moto child
    children = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    wait_all_gone(children, [], [tmp_path / "state.json"], 3.0)
