"""Where a route's blocking work (DynamoDB calls, quiz grading) runs.

Served by an ASGI server (the sandbox's uvicorn: one event loop for every request), on Starlette's threadpool, so
that one request's wait on DynamoDB does not hold the loop the others share. Under Lambda (Mangum,
`lambda_handler.build_handler`) inline: an execution environment serves one request at a time, nothing else runs
on its loop, and the thread hop is pure cost (about a fifth of an event's time, benchmarks/backend_latency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

__all__ = ["run_blocking", "serve_one_request_at_a_time"]

P = ParamSpec("P")
T = TypeVar("T")
INLINE = "inline_blocking"


def serve_one_request_at_a_time(app: Starlette) -> Starlette:
    """Mark `app` as served one request at a time (Lambda): blocking work then runs inline."""
    setattr(app.state, INLINE, True)
    return app


async def run_blocking(request: Request, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if getattr(request.app.state, INLINE, False):
        return func(*args, **kwargs)
    return await run_in_threadpool(func, *args, **kwargs)
