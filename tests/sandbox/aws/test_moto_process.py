"""moto in a child process: ready line, serialised DynamoDB, clean stop, and no orphan when the parent dies."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import boto3

from sandbox.aws.moto_process import start_moto_process
from tests.sandbox.sandbox_process import alive

DUMMY = {"region_name": "us-west-2", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_child_answers_and_stop_frees_the_port() -> None:
    handle = start_moto_process(0)
    try:
        sts = boto3.client("sts", endpoint_url=handle.url, **DUMMY)
        assert sts.get_caller_identity()["Account"] == "123456789012"
    finally:
        handle.stop()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", handle.port))  # raises if the child still listens


def test_child_dies_with_its_parent() -> None:
    # A parent that starts moto and is then SIGKILLed: the child must not outlive it.
    script = (
        "from sandbox.aws.moto_process import start_moto_process\n"
        "h = start_moto_process(0)\n"
        "print(h._server.process.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(child_pid):
        assert time.monotonic() < deadline, f"moto child {child_pid} outlived its parent"
        time.sleep(0.05)  # bounded poll for the child's exit
