"""The per-app state of the HubSpot stand-in (`app.state.hubspot`): contacts, property definitions, faults, ledger."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from sandbox.hubspot.definitions import seeded_groups, seeded_properties
from sandbox.hubspot.faults import FaultBoard, Ledger
from sandbox.hubspot.store import ContactStore
from sandbox.hubspot.values import iso_ms


@dataclass
class Clock:
    """Wall time plus an offset tests may move (the Retry-After window is judged on it)."""

    offset_s: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset_s

    def now_ms(self) -> int:
        return int(self.now() * 1000)


@dataclass
class HubSpotContext:
    token: str
    clock: Clock = field(default_factory=Clock)
    # One uvicorn event loop serves every route; the lock makes hooks and direct reads from test threads safe.
    # It is never held across an await.
    lock: threading.RLock = field(default_factory=threading.RLock)
    contacts: ContactStore = field(default_factory=ContactStore)
    properties: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    faults: FaultBoard = field(default_factory=FaultBoard)
    ledger: Ledger = field(default_factory=Ledger)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self, *, with_registry: bool = True) -> None:
        """Back to a fresh portal: no contacts, faults or ledger; HubSpot's properties (+ the registry's)."""
        with self.lock:
            self.contacts.reset()
            self.faults.reset()
            self.ledger.clear(None)
            self.groups = seeded_groups(with_registry=with_registry)
            self.properties = seeded_properties(now_iso=iso_ms(self.clock.now_ms()), with_registry=with_registry)


def context_of(request: Request) -> HubSpotContext:
    return request.app.state.hubspot
