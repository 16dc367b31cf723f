"""The CloudWatch Logs handler ships JSON log lines into a real (moto) log group, in order, and never blocks the app."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.aws.context import client_for
from sandbox.aws.log_shipper import CloudWatchLogsHandler, lambda_style_stream_name
from tests.sandbox.aws.stage import REGION


@pytest.fixture
def logs(aws) -> Any:
    return aws("logs")


@pytest.fixture
def log_group(logs) -> str:
    name = f"/aws/lambda/hedgehog-learn-t{uuid.uuid4().hex[:8]}-api"
    logs.create_log_group(logGroupName=name)
    return name


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger(f"hhl_backend.test.{uuid.uuid4().hex[:6]}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger
    logger.handlers.clear()


def messages(logs, group: str, stream: str) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    return [event["message"] for event in events]


def test_records_land_in_the_group_in_order_after_flush(moto, logs, log_group: str, logger) -> None:
    handler = CloudWatchLogsHandler(endpoint_url=moto.url, region=REGION, log_group=log_group, stream_name="s/1")
    logger.addHandler(handler)
    lines = [json.dumps({"event": "request", "route": "GET /auth/me", "status": 401, "n": n}) for n in range(250)]
    for line in lines:
        logger.info(line)
    assert handler.drain(timeout_s=10)
    assert messages(logs, log_group, "s/1") == lines  # 250 > one batch of 100: several put_log_events, in order
    assert (handler.dropped, handler.failed_batches) == (0, 0)
    handler.close()


def test_background_interval_ships_without_an_explicit_flush(moto, logs, log_group: str, logger) -> None:
    handler = CloudWatchLogsHandler(
        endpoint_url=moto.url, region=REGION, log_group=log_group, stream_name="s/2", flush_interval_s=0.05
    )
    logger.addHandler(handler)
    logger.info('{"event":"startup"}')
    deadline = time.monotonic() + 5
    while not messages(logs, log_group, "s/2") and time.monotonic() < deadline:
        time.sleep(0.02)  # bounded poll: the worker ships on its own after a quiet interval
    assert messages(logs, log_group, "s/2") == ['{"event":"startup"}']
    handler.close()


def test_close_flushes_and_later_records_are_ignored(moto, logs, log_group: str, logger) -> None:
    handler = CloudWatchLogsHandler(endpoint_url=moto.url, region=REGION, log_group=log_group, stream_name="s/3")
    logger.addHandler(handler)
    logger.info("before close")
    handler.close()
    logger.info("after close")
    handler.close()  # idempotent
    assert messages(logs, log_group, "s/3") == ["before close"]


def test_full_queue_drops_instead_of_blocking(moto, log_group: str, logger) -> None:
    class StalledClient:
        """Accepts the stream, then blocks every put until released, so the queue fills up."""

        exceptions = client_for("http://127.0.0.1:9", REGION, "logs").exceptions  # no call is made

        def __init__(self) -> None:
            import threading

            self.release = threading.Event()

        def create_log_stream(self, **_: Any) -> None:
            return None

        def put_log_events(self, **_: Any) -> None:
            self.release.wait(5)

    client = StalledClient()
    handler = CloudWatchLogsHandler(
        endpoint_url=moto.url, region=REGION, log_group=log_group, max_queue=5, flush_interval_s=0.01, client=client
    )
    logger.addHandler(handler)
    started = time.monotonic()
    for n in range(200):
        logger.info("line %d", n)
    assert time.monotonic() - started < 1.0
    assert handler.dropped > 0
    client.release.set()
    handler.close()


def test_missing_log_group_is_a_clear_error(moto) -> None:
    with pytest.raises(ValueError, match="log group /nope does not exist"):
        CloudWatchLogsHandler(endpoint_url=moto.url, region=REGION, log_group="/nope")


def test_stream_name_looks_like_lambdas() -> None:
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", lambda_style_stream_name())
