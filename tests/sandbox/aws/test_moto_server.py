"""start_moto binds 127.0.0.1 on a free port, answers AWS calls, and stops."""

from __future__ import annotations

import boto3
import httpx
import pytest

from sandbox.aws.moto_server import start_moto


def test_start_answer_stop() -> None:
    handle = start_moto(0)
    try:
        assert handle.port > 0
        assert handle.url == f"http://127.0.0.1:{handle.port}"
        sts = boto3.client(
            "sts", endpoint_url=handle.url, region_name="us-west-2", aws_access_key_id="t", aws_secret_access_key="t"
        )
        assert sts.get_caller_identity()["Account"] == "123456789012"
    finally:
        handle.stop()
    handle.stop()  # idempotent
    with pytest.raises(httpx.TransportError):
        httpx.get(handle.url, timeout=1)


def test_invalid_port_is_refused() -> None:
    with pytest.raises(ValueError, match="port must be between"):
        start_moto(70000)
