"""What the sandbox's stream poller did, for tests and the harness: `GET /__standin/sync` on the HubSpot stand-in.

Counters since the sandbox started plus the most recent invocations and give-ups (bounded), per mapping. Record
bodies are never kept: sequence numbers, counts and error class names only.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from sandbox.aws.stream_poller import StreamMapping

__all__ = ["LEDGER_PATH", "SyncLedger", "ledger_route"]

LEDGER_PATH = "/__standin/sync"
RECENT = 500  # invocations kept in the ledger's `recent` list


class SyncLedger:
    """Thread-safe record of invocations, batch item failures, function errors and DLQ sends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mappings: list[dict[str, Any]] = []
        self._totals = {
            "invocations": 0,
            "records": 0,
            "batch_item_failures": 0,
            "function_errors": 0,
            "dlq_sends": 0,
            "dlq_records": 0,
            "dropped_records": 0,
        }
        self._recent: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self._dlq: deque[dict[str, Any]] = deque(maxlen=RECENT)

    def set_mappings(self, mappings: Iterable[StreamMapping], enabled: set[str]) -> None:
        with self._lock:
            self._mappings = [
                {"uuid": m.uuid, "table": m.table, "state": "Enabled" if m.uuid in enabled else "Disabled"}
                for m in mappings
            ]

    def invoked(
        self, mapping: StreamMapping, records: Sequence[dict[str, Any]], failed: list[str], error: str | None
    ) -> None:
        entry = {
            "at": time.time(),
            "table": mapping.table,
            "records": len(records),
            "first_sequence_number": records[0]["dynamodb"]["SequenceNumber"],
            "last_sequence_number": records[-1]["dynamodb"]["SequenceNumber"],
            "batch_item_failures": failed,
            "error": error,
        }
        with self._lock:
            self._totals["invocations"] += 1
            self._totals["records"] += len(records)
            self._totals["batch_item_failures"] += len(failed)
            self._totals["function_errors"] += error is not None
            self._recent.append(entry)

    def sent_to_dlq(self, mapping: StreamMapping, records: Sequence[dict[str, Any]]) -> None:
        self._gave_up(mapping, records, "dlq")

    def dropped(self, mapping: StreamMapping, records: Sequence[dict[str, Any]]) -> None:
        """Given up with no (reachable) on-failure destination: the records are lost."""
        self._gave_up(mapping, records, "dropped")

    def _gave_up(self, mapping: StreamMapping, records: Sequence[dict[str, Any]], where: str) -> None:
        entry = {
            "at": time.time(),
            "table": mapping.table,
            "to": where,
            "records": len(records),
            "first_sequence_number": records[0]["dynamodb"]["SequenceNumber"],
            "last_sequence_number": records[-1]["dynamodb"]["SequenceNumber"],
        }
        with self._lock:
            if where == "dlq":
                self._totals["dlq_sends"] += 1
                self._totals["dlq_records"] += len(records)
            else:
                self._totals["dropped_records"] += len(records)
            self._dlq.append(entry)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._totals,
                "mappings": [dict(m) for m in self._mappings],
                "recent": [dict(e) for e in self._recent],
                "given_up": [dict(e) for e in self._dlq],
            }


def ledger_route(ledger: SyncLedger) -> Route:
    """`GET /__standin/sync` → the ledger (the stand-in serves it loopback-only, like every /__standin/ path)."""

    async def sync(request: Request) -> JSONResponse:
        return JSONResponse(ledger.snapshot())

    return Route(LEDGER_PATH, sync, methods=["GET"])
