"""hhl_backend.blocking: blocking work on the threadpool when an ASGI server shares one loop between requests, inline
when the Lambda handler serves the app (one request at a time per execution environment)."""

from __future__ import annotations

import threading

from hhl_backend.blocking import run_blocking, serve_one_request_at_a_time
from hhl_backend.lambda_handler import build_handler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.backend.lambda_invoke import CONTEXT, off_main_loop, v2_event


async def where(request: Request) -> JSONResponse:
    """Whether the blocking function ran on the thread that runs the request's event loop."""
    loop_thread = threading.get_ident()
    worker_thread = await run_blocking(request, threading.get_ident)
    return JSONResponse({"inline": worker_thread == loop_thread})


def _app() -> Starlette:
    return Starlette(routes=[Route("/where", where)])


def test_served_by_an_asgi_server_blocking_work_leaves_the_loop() -> None:
    with TestClient(_app()) as client:
        assert client.get("/where").json() == {"inline": False}


def test_served_one_request_at_a_time_blocking_work_runs_inline() -> None:
    with TestClient(serve_one_request_at_a_time(_app())) as client:
        assert client.get("/where").json() == {"inline": True}


def test_the_lambda_handler_serves_one_request_at_a_time() -> None:
    handler = off_main_loop(build_handler(_app()))
    result = handler(v2_event("GET", "/where"), CONTEXT)
    assert result["statusCode"] == 200 and result["body"] == '{"inline":true}'
