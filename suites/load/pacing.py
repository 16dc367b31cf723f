"""The client-side rate budget of the load checks (SPEC §6): a token bucket shared by the load checks of a run, at
most `burst` requests at once, then `rate` per second. Kept under the stage's throttle (burst 200, rate 100/s) so
that the load measures the function and the store, not the gateway throttle (load.throttling exceeds it on purpose,
on its own). The harness keeps the run's bucket; the engine resumes it for one load (`snapshot`) and the harness
then takes over the bucket as the engine left it (`settle`). Pure Python: the engine imports it under gevent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from suites.load.plan import PacerState

__all__ = ["Pacer"]


class Pacer:
    def __init__(
        self,
        burst: float,
        rate: float,
        *,
        tokens: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if burst < 1 or rate <= 0:
            raise ValueError(f"pacer burst {burst} / rate {rate}: need burst ≥ 1 and a positive rate")
        self._capacity, self._rate = float(burst), rate
        self._tokens, self._last = float(burst if tokens is None else tokens), clock()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    @classmethod
    def resume(cls, state: PacerState) -> Pacer:
        # A worker's share of the budget may be under one token: its bucket still holds one request at a time.
        return cls(max(state.burst, 1.0), state.rate, tokens=state.tokens)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now

    def acquire(self) -> None:
        """Take one token, waiting for the refill if there is none (rate limiting, not synchronisation)."""
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait_s = (1 - self._tokens) / self._rate
            self._sleep(wait_s)

    def reserve(self, count: int) -> None:
        """Take `count` tokens up front (capped at the burst), so that a burst can then be sent all at once."""
        for _ in range(min(count, int(self._capacity))):
            self.acquire()

    def snapshot(self) -> PacerState:
        with self._lock:
            self._refill()
            return PacerState(self._capacity, self._rate, self._tokens)

    def settle(self, tokens: float) -> None:
        """Take over the bucket as the engine left it (`tokens` at its end, summed over its workers)."""
        with self._lock:
            self._refill()
            self._tokens, self._last = min(self._capacity, tokens), self._clock()
