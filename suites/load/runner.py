"""A bounded load runner for the load checks: a fixed list of calls through a thread pool of `concurrency` workers,
each worker with its own curl-style client carrying the session cookies explicitly, under an overall deadline and
a client-side rate budget. Every request's status and latency is kept; only the first call of each label is
transcribed (200 transcripts would bury the evidence), failures are summarised in the summary JSON instead.

>>> result = run_load(env.api_base_url, [Call("me", "GET", "/auth/me")] * 200, concurrency=10,  # doctest: +SKIP
...                   cookies={"hhl_access_token": token}, evidence=evidence, pacer=pacer)
>>> result.summary()["all"]["p95_ms"]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from checks.errors import TargetUnreachable
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.retry import NO_RETRY
from suites.load.stats import Sample, summarize

__all__ = ["Call", "LoadResult", "Pacer", "load_window", "run_load"]

MAX_FAILURE_EXCERPTS = 10


@dataclass(frozen=True)
class Call:
    """One request of the load: `label` groups the figures (route or event kind)."""

    label: str
    method: str
    path: str
    params: Mapping[str, str] | None = None
    json: Any = None


class Pacer:
    """Client-side token bucket shared by the load checks of a run: at most `burst` requests at once, then `rate`
    per second. Kept under the stage's throttle (SPEC §6: burst 200, rate 100/s) so that the load measures the
    function and the store, not the gateway throttle (load.throttling exceeds it on purpose, on its own)."""

    def __init__(
        self,
        burst: int,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._capacity, self._rate = float(burst), rate
        self._tokens, self._last = float(burst), clock()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Take one token, waiting for the refill if there is none (rate limiting, not synchronisation)."""
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
                self._last = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait_s = (1 - self._tokens) / self._rate
            self._sleep(wait_s)

    def reserve(self, count: int) -> None:
        """Take `count` tokens up front (capped at the burst), so that a burst can then be sent all at once."""
        for _ in range(min(count, int(self._capacity))):
            self.acquire()


@dataclass
class LoadResult:
    samples: list[Sample]
    concurrency: int
    elapsed_s: float
    not_sent: int  # calls cancelled at the deadline
    failures: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures attached as `load-summary.json`: statuses, p50/p95/max per label, failure excerpts."""
        sent = len(self.samples)
        return {
            **summarize(self.samples),
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 3),
            "achieved_rps": round(sent / self.elapsed_s, 1) if self.elapsed_s > 0 else None,
            "not_sent": self.not_sent,
            "failure_excerpts": self.failures[:MAX_FAILURE_EXCERPTS],
        }


class _Window:
    """Wall-clock span of the load sent by this process (load.alarms_quiet_after observes after its end)."""

    def __init__(self) -> None:
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self._lock = threading.Lock()

    def mark(self, started: datetime, ended: datetime) -> None:
        with self._lock:
            self.started = min(self.started or started, started)
            self.ended = max(self.ended or ended, ended)


_WINDOW = _Window()


def load_window() -> tuple[datetime | None, datetime | None]:
    """(first load request, end of the last load run) in this process, UTC; (None, None) before any load."""
    return _WINDOW.started, _WINDOW.ended


class _Workers:
    """Per-thread clients: a quiet one for the load and one that transcribes into the evidence."""

    def __init__(self, base_url: str, cookies: Mapping[str, str], evidence: Evidence | None) -> None:
        self.base_url, self.cookies, self.evidence = base_url, dict(cookies), evidence
        self._local = threading.local()
        self._clients: list[HttpClient] = []
        self._lock = threading.Lock()
        self._transcribed: set[str] = set()

    def client_for(self, label: str) -> HttpClient:
        with self._lock:
            record = self.evidence is not None and label not in self._transcribed
            self._transcribed.add(label)
        key = "recording" if record else "quiet"
        client = getattr(self._local, key, None)
        if client is None:
            evidence = self.evidence if record else None
            client = HttpClient(self.base_url, evidence=evidence, cookies=self.cookies, retry=NO_RETRY)  # as answered
            setattr(self._local, key, client)
            with self._lock:
                self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()


def _send(workers: _Workers, pacer: Pacer | None, call: Call) -> tuple[Sample, str]:
    client = workers.client_for(call.label)
    if pacer is not None:
        pacer.acquire()
    kwargs: dict[str, Any] = {"params": call.params}
    if call.json is not None:
        kwargs["json"] = call.json
    started = time.perf_counter()
    try:
        response = client.request(call.method, call.path, **kwargs)
    except TargetUnreachable as exc:
        elapsed = (time.perf_counter() - started) * 1000
        return Sample(call.label, call.method, call.path, 0, elapsed, error=str(exc)), str(exc)
    elapsed = (time.perf_counter() - started) * 1000
    sample = Sample(call.label, call.method, call.path, response.status, elapsed, body=response.json_or_none())
    return sample, response.describe()


def run_load(
    base_url: str,
    calls: Sequence[Call],
    *,
    concurrency: int,
    cookies: Mapping[str, str],
    evidence: Evidence | None,
    pacer: Pacer | None = None,
    deadline_s: float = 60.0,
    is_failure: Callable[[Sample], bool] = lambda s: s.status == 0 or s.status >= 500,
) -> LoadResult:
    """Send `calls` with at most `concurrency` in flight; calls not started by `deadline_s` are cancelled and
    counted in `not_sent`. `is_failure` picks the samples whose one-line excerpt goes into the summary."""
    workers = _Workers(base_url, cookies, evidence)
    wall_start, started = datetime.now(UTC), time.perf_counter()
    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="hhl-load")
    try:
        futures = [executor.submit(_send, workers, pacer, call) for call in calls]
        _, pending = wait(futures, timeout=deadline_s, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        workers.close()
    elapsed = time.perf_counter() - started
    _WINDOW.mark(wall_start, datetime.now(UTC))
    results = [f.result() for f in futures if f.done() and not f.cancelled()]
    samples = [sample for sample, _ in results]
    failures = [
        {"label": s.label, "request": f"{s.method} {s.path}", "status": s.status, "answer": describe}
        for s, describe in results
        if is_failure(s)
    ]
    return LoadResult(samples, concurrency, elapsed, len(calls) - len(samples), failures)
