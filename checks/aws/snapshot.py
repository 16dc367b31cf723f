"""The collected AWS snapshot: each service is described once, concurrently, on first use, and saved as JSON.

`InfraSnapshot.get(service)` returns that service's section (a JSON-safe dict shaped as checks/aws/schema.py
declares); the first call starts every collector in a thread pool so that the slowest service, not the sum of all,
bounds the wait. A collector never raises for one bad item: it records `errors[item] = message` and carries on; the
checks turn a missing item into a failure that quotes the message. Each section is written to
`<run_dir>/evidence/_aws/<service>.json`.
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from checks.aws.jsonsafe import iso, json_safe
from checks.aws.schema import SectionGetter
from checks.aws.session import ReadOnlyAws, ReadOnlyViolation, describe_error
from checks.errors import ServiceUnavailable
from environments import Environment

__all__ = ["CollectContext", "Collector", "InfraSnapshot", "ServiceUnavailable"]

T = TypeVar("T")


class CollectContext:
    """What a collector gets: the read-only session, the environment, the snapshot (for dependencies), and
    `attempt`, which turns an exception into a recorded per-item error."""

    def __init__(self, snapshot: InfraSnapshot, service: str) -> None:
        self.snapshot = snapshot
        self.aws = snapshot.aws
        self.env = snapshot.env
        self.service = service
        self.errors: dict[str, str] = {}

    def client(self, name: str) -> Any:
        return self.aws.client(name)

    def attempt(self, item: str, call: Callable[[], T]) -> T | None:
        """Run `call`; on failure record `errors[item]` and return None. A refused write is a harness bug: re-raised."""
        try:
            return call()
        except ReadOnlyViolation:
            raise
        except Exception as exc:
            self.errors[item] = describe_error(exc, self.aws.where)
            return None


# A collector returns its service's data (checks/aws/schema.py: e.g. DynamoDBData).
Collector = Callable[[CollectContext], Mapping[str, object]]


class InfraSnapshot:
    """Lazy, thread-safe, once-per-service collection for one environment."""

    def __init__(
        self,
        aws: ReadOnlyAws,
        env: Environment,
        *,
        collectors: dict[str, Collector] | None = None,
        out_dir: Path | None = None,
    ) -> None:
        if collectors is None:
            from checks.aws.collectors import COLLECTORS

            collectors = COLLECTORS
        self.aws = aws
        self.env = env
        self.out_dir = out_dir
        self._collectors = dict(collectors)
        self._lock = threading.Lock()
        self._futures: dict[str, Future[dict[str, Any]]] = {}
        # One worker per service: a collector may wait on another (sns → sts), so fewer workers could deadlock.
        self._pool: ThreadPoolExecutor | None = None
        # The section for a service, collecting everything on first use; typed per service by the schema.
        self.get: SectionGetter = self._get

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(self._collectors)

    def start(self, services: Iterable[str] | None = None) -> None:
        """Begin collecting (all services by default); idempotent."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=max(1, len(self._collectors)), thread_name_prefix="infra")
            for service in services if services is not None else self._collectors:
                if service not in self._collectors:
                    raise KeyError(f"unknown AWS snapshot service {service!r}; known: {', '.join(self._collectors)}")
                if service not in self._futures:
                    # With the caller's context: the AWS call recorder (checks.aws.calls) credits the starting check.
                    context = contextvars.copy_context()
                    self._futures[service] = self._pool.submit(context.run, self._collect, service)

    def _get(self, service: str) -> Any:
        """The section for `service` (`get`, typed by SectionGetter), collecting everything on first use."""
        self.start()
        if service not in self._futures:
            self.start([service])
        return self._futures[service].result()

    def collect_all(self) -> dict[str, dict[str, Any]]:
        self.start()
        return {service: self._get(service) for service in self._collectors}

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, service: str) -> dict[str, Any]:
        ctx = CollectContext(self, service)
        started = time.perf_counter()
        try:
            data: Mapping[str, object] = self._collectors[service](ctx)
        except ReadOnlyViolation:
            raise
        except Exception as exc:
            data = {}
            ctx.errors["*"] = describe_error(exc, self.aws.where)
        section = {
            "service": service,
            "region": self.aws.region,
            "endpoint": self.aws.endpoint_url,
            "collected_at": iso(datetime.now(UTC)),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            **json_safe(data),
            "errors": dict(ctx.errors),
        }
        self._write(service, section)
        return section

    def _write(self, service: str, section: dict[str, Any]) -> None:
        if self.out_dir is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{service}.json"
        # Write then rename: pytest-xdist workers may write the same service at the same time.
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(section, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
