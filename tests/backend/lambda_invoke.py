"""Call a Mangum handler as Lambda does: on a thread of its own with a fresh event loop. Lambda's thread has no loop
running; a pytest worker's main thread may have one (pytest-playwright's sync API keeps its loop there), and Mangum
runs the ASGI cycle with `run_until_complete` on the thread's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def off_main_loop(handler: Handler) -> Handler:
    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                return handler(event, context)
            finally:
                asyncio.set_event_loop(None)
                loop.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    return invoke
