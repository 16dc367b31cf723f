"""The measurement behind `crm.sync.success_rate`: N events sent at a steady pace while the contact is read at a
bounded interval, and each event's sync latency (send → first read whose contact reflects it).

The events are page views of distinct slugs on one user. The contact's `hhl_last_viewed_slug` names the newest
view it reflects; since the sync recomputes the user's state from the source of truth, a contact showing view j
reflects every earlier view too (their effect, the ACTIVITY item, was superseded by j's). So each event is
observable on one real test user without anything accumulating in the CRM.

>>> clock = FakeClock(); events = measure(send, observe, count=3, spacing_s=1, interval_s=0.5,
...     deadline_s=10, clock=clock.now, sleep=clock.sleep)   # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from suites.load.stats import percentile

__all__ = ["Event", "figures", "measure"]


@dataclass
class Event:
    index: int
    sent_at: float  # clock() just before the send
    reflected_at: float | None = None  # clock() of the first read showing it (or a later event)

    @property
    def latency_s(self) -> float | None:
        return None if self.reflected_at is None else self.reflected_at - self.sent_at


def measure(
    send: Callable[[int], object],  # what it returns is not read
    observe: Callable[[], int | None],
    *,
    count: int,
    spacing_s: float,
    interval_s: float,
    deadline_s: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Event]:
    """`send(i)` emits event i (i = 0..count-1, one every `spacing_s`); `observe()` reads the contact and answers
    the highest event index it reflects (None: none of ours yet). Ends when every event is reflected or every
    unreflected one is past its deadline: the bound is the last send + `deadline_s`."""
    start = clock()
    events: list[Event] = []
    next_read = start
    while True:
        now = clock()
        due = start + len(events) * spacing_s
        if len(events) < count and now >= due:
            events.append(Event(len(events), sent_at=now))
            send(events[-1].index)
            continue
        if now >= next_read:
            seen = observe()
            at = clock()
            for event in events[: (seen + 1) if seen is not None else 0]:
                if event.reflected_at is None:
                    event.reflected_at = at
            next_read = at + interval_s
        pending = [e for e in events if e.reflected_at is None]
        if len(events) == count and all(clock() - e.sent_at > deadline_s for e in pending):
            return events  # all reflected (the condition holds for an empty list), or the rest are overdue
        wake = next_read if len(events) == count else min(next_read, start + len(events) * spacing_s)
        # Pacing of the sends and reads, not synchronisation: what ends the loop is the condition above.
        sleep(max(0.0, wake - clock()))


def figures(events: Sequence[Event], *, deadline_s: float) -> dict[str, Any]:
    """The ratio reflected within the deadline, and p50/p95/max of the reflected events' latencies (seconds)."""
    latencies = [e.latency_s for e in events if e.latency_s is not None]
    in_time = [lat for lat in latencies if lat <= deadline_s]
    summary: dict[str, Any] = {
        "events": len(events),
        "reflected_in_time": len(in_time),
        "ratio": round(len(in_time) / len(events), 4) if events else 0.0,
        "deadline_s": deadline_s,
        "p50_s": None,
        "p95_s": None,
        "max_s": None,
        "per_event_latency_s": [None if e.latency_s is None else round(e.latency_s, 3) for e in events],
    }
    if latencies:
        summary |= {
            "p50_s": round(percentile(latencies, 50), 3),
            "p95_s": round(percentile(latencies, 95), 3),
            "max_s": round(max(latencies), 3),
        }
    return summary
