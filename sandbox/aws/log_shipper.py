"""Ship log records into a CloudWatch Logs group, as Lambda does with a function's stdout (SPEC §10 `infra.logs.group`).

The sandbox serves the backend with uvicorn, so its JSON log lines would never reach the provisioned log group; this
handler batches them from a background thread into `put_log_events`, so log checks see real events.

    >>> handler = CloudWatchLogsHandler(endpoint_url=moto.url, region="us-west-2",
    ...                                 log_group="/aws/lambda/hedgehog-learn-local-api")
    >>> logging.getLogger("hhl_backend").addHandler(handler)
    >>> ...
    >>> handler.close()   # flushes what is queued
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sandbox.aws.context import client_for

__all__ = ["CloudWatchLogsHandler", "lambda_style_stream_name"]

# CloudWatch limits a batch to 10,000 events / 1 MiB; far smaller batches keep latency low.
_MAX_BATCH = 100


def lambda_style_stream_name() -> str:
    """A stream name shaped like Lambda's: `YYYY/MM/DD/[$LATEST]<32 hex>`."""
    return f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"


@dataclass
class _Flush:
    """A marker put in the queue; the worker sets `done` once everything queued before it was sent."""

    done: threading.Event = field(default_factory=threading.Event)


_STOP = object()


class CloudWatchLogsHandler(logging.Handler):
    """A logging handler that ships formatted records to one log stream (bounded queue, background batching)."""

    def __init__(
        self,
        *,
        endpoint_url: str,
        region: str,
        log_group: str,
        stream_name: str | None = None,
        flush_interval_s: float = 0.2,
        max_queue: int = 10_000,
        client: Any = None,
    ) -> None:
        super().__init__()
        if flush_interval_s <= 0 or max_queue <= 0:
            raise ValueError("flush_interval_s and max_queue must be positive")
        self.log_group = log_group
        self.stream_name = stream_name or lambda_style_stream_name()
        self.dropped = 0  # records refused because the queue was full (the app is never blocked by shipping)
        self.failed_batches = 0
        self.last_error: str | None = None
        self._client = client or client_for(endpoint_url, region, "logs")
        self._interval = flush_interval_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._closed = False
        self._create_stream()
        self._worker = threading.Thread(target=self._run, name=f"cwlogs-{log_group}", daemon=True)
        self._worker.start()

    def _create_stream(self) -> None:
        try:
            self._client.create_log_stream(logGroupName=self.log_group, logStreamName=self.stream_name)
        except self._client.exceptions.ResourceAlreadyExistsException:
            pass
        except self._client.exceptions.ResourceNotFoundException:
            raise ValueError(f"log group {self.log_group} does not exist (provision the stack first)") from None

    def emit(self, record: logging.LogRecord) -> None:
        if self._closed:
            return
        try:
            event = {"timestamp": int(record.created * 1000), "message": self.format(record)}
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
        except Exception:  # formatting errors are reported the standard way, never raised into the app
            self.handleError(record)

    def flush(self) -> None:
        """logging.Handler.flush: `drain` with its default timeout."""
        self.drain()

    def drain(self, timeout_s: float = 5.0) -> bool:
        """Send everything queued so far; True when it was delivered (or failed definitively) within the timeout."""
        if self._closed or not self._worker.is_alive():
            return True
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout_s)
        except queue.Full:
            return False
        return marker.done.wait(timeout_s)

    def close(self) -> None:
        if not self._closed:
            self.flush()
            self._closed = True
            self._queue.put(_STOP)
            self._worker.join(timeout=5)
        super().close()

    # ------------------------------------------------------------------ worker thread

    def _run(self) -> None:
        batch: list[dict[str, Any]] = []
        while True:
            try:
                item = self._queue.get(timeout=self._interval)
            except queue.Empty:
                item = None
            if isinstance(item, dict):
                batch.append(item)
                if len(batch) < _MAX_BATCH:
                    continue
            self._send(batch)  # on a full batch, a quiet interval, a flush marker or stop
            batch = []
            if isinstance(item, _Flush):
                item.done.set()
            elif item is _STOP:
                return

    def _send(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        batch.sort(key=lambda event: event["timestamp"])  # the API rejects out-of-order batches
        try:
            self._client.put_log_events(logGroupName=self.log_group, logStreamName=self.stream_name, logEvents=batch)
        except (ClientError, BotoCoreError) as exc:
            self.failed_batches += 1
            self.last_error = type(exc).__name__
