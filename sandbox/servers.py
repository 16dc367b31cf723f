"""Run ASGI apps on loopback with uvicorn, each in its own thread, with bounded start and clean stop."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp

from sandbox.ports import take_reserved

START_TIMEOUT_S = 15.0


class ServerStartError(RuntimeError):
    """A server did not come up; the message names it and its port."""


@dataclass
class ThreadedServer:
    name: str
    app: ASGIApp
    port: int
    _server: uvicorn.Server | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        # log_config=None: uvicorn's dictConfig would close every existing handler (the CloudWatch log shipper).
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="auto",
            server_header=False,
        )
        # Signals belong to the orchestrator's main thread: uvicorn installs none off the main thread.
        self._server = uvicorn.Server(config)
        held = take_reserved(self.port)  # the port chosen for it, held since (sandbox/ports.py says why)
        sockets = [held] if held is not None else None
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name=f"uvicorn-{self.name}", daemon=True
        )
        self._thread.start()

    def wait_started(self, deadline: float) -> None:
        assert self._server is not None and self._thread is not None
        while not self._server.started:
            if not self._thread.is_alive():
                raise ServerStartError(f"{self.name} server failed to start on 127.0.0.1:{self.port}")
            if time.monotonic() > deadline:
                raise ServerStartError(f"{self.name} server did not start within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.01)  # polling a flag with a deadline, not synchronising on time

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_all(servers: list[ThreadedServer]) -> None:
    for server in servers:
        server.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    for server in servers:
        server.wait_started(deadline)


def stop_all(servers: list[ThreadedServer]) -> None:
    for server in reversed(servers):
        server.stop()
