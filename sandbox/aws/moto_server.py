"""Start and stop the sandbox's local AWS: moto's threaded server bound to 127.0.0.1 (SPEC §6 sandbox provisioning)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from moto.dynamodb.responses import DynamoHandler
from moto.server import ThreadedMotoServer

__all__ = ["MotoHandle", "start_moto"]

log = logging.getLogger(__name__)


@dataclass
class MotoHandle:
    """A running moto server. moto keeps its state per process, so two handles in one process share it."""

    port: int
    _server: Any = field(repr=False)  # ThreadedMotoServer, or a MotoProcess (anything with stop())
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every resource (moto's own reset endpoint), for tests that need an empty account."""
        httpx.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._server.stop()
            log.info("moto server on port %d stopped", self.port)

    def __enter__(self) -> MotoHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_DYNAMODB_LOCK = threading.RLock()


def _serialise_dynamodb_calls() -> None:
    """Make every DynamoDB call atomic, as real DynamoDB is per item and per transaction.

    moto's UpdateItem and TransactWriteItems are read-modify-writes without a lock, and its server answers on
    parallel threads: without this, the sandbox itself would lose concurrent updates and mint duplicate badges,
    and the harness's concurrency checks would blame a healthy backend. Interleaving *between* calls stays.
    """
    if getattr(DynamoHandler.call_action, "_hhl_serialised", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._hhl_serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def start_moto(port: int = 0) -> MotoHandle:
    """Start moto on 127.0.0.1; port 0 picks a free port. Returns once the server accepts requests."""
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be between 0 and 65535, got {port}")
    # werkzeug logs every request on stderr unless its logger has a level; the sandbox wants quiet AWS calls.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _serialise_dynamodb_calls()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()  # returns after the socket is bound, so requests are served from here on
    _, bound_port = server.get_host_and_port()
    log.info("moto server listening on 127.0.0.1:%d", bound_port)
    return MotoHandle(port=bound_port, _server=server)
