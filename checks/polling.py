"""Bounded polling: ask a probe until it answers something truthy or the time is up. The checks wait on a
condition this way (the throttle recovering, an alarm firing, a CRM record arriving), never by sleeping a guessed
duration.

>>> poll(lambda: target_ready(), timeout_s=3.0, interval_s=0.05)   # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["poll"]

T = TypeVar("T")


def poll(
    probe: Callable[[], T],
    *,
    timeout_s: float,
    interval_s: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T | None, int]:
    """(the first truthy answer or None at the timeout, attempts made). The probe runs at least once."""
    deadline = clock() + timeout_s
    attempts = 0
    while True:
        attempts += 1
        answer = probe()
        if answer:
            return answer, attempts
        remaining = deadline - clock()
        if remaining <= 0:
            return None, attempts
        sleep(min(interval_s, remaining))
