"""API reads with the browser's own session: `BrowserContext.request` shares the context's cookie jar, so
`enrollments/list` and `progress/read` answer for exactly the identity the pages see (SPEC §8: module effects are
verified through `progress/read`). Bodies are parsed by content (the real API labels JSON `text/plain`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import BrowserContext, Cookie

__all__ = ["ApiRead", "BrowserApi", "enrolled_course_slugs", "find_module_progress", "session_cookies"]


@dataclass(frozen=True)
class ApiRead:
    url: str
    status: int
    body: Any  # parsed JSON, or None

    def summary(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "body": self.body}


class BrowserApi:
    """`BrowserApi(context, env.site_api_base_url).get("/progress/read")`: never follows redirects."""

    def __init__(self, context: BrowserContext, api_base_url: str) -> None:
        self.context = context
        self.base = api_base_url.rstrip("/")

    def get(self, path: str) -> ApiRead:
        url = self.base + path
        response = self.context.request.get(url, headers={"Accept": "application/json"}, max_redirects=0)
        try:
            body = json.loads(response.text())
        except ValueError:
            body = None
        finally:
            response.dispose()
        return ApiRead(url, response.status, body)


def enrolled_course_slugs(read: ApiRead) -> list[str]:
    """Course slugs of an `enrollments/list` answer (SPEC §3.11); [] for anything else."""
    body = read.body if isinstance(read.body, dict) else {}
    courses = (body.get("enrollments") or {}).get("courses") or []
    return [c["slug"] for c in courses if isinstance(c, dict) and c.get("slug")]


def _module_rows(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "modules" and isinstance(value, dict):
            yield from ((slug, row) for slug, row in value.items() if isinstance(row, dict))
        elif isinstance(value, dict):
            yield from _module_rows(value)


def find_module_progress(read: ApiRead, module_slug: str) -> dict[str, Any] | None:
    """The module's row anywhere in `progress/read`'s hierarchy (under a pathway or `courses`), or None."""
    body = read.body if isinstance(read.body, dict) else {}
    return next((row for slug, row in _module_rows(body.get("progress")) if slug == module_slug), None)


def session_cookies(context: BrowserContext) -> list[Cookie]:
    """Every `hhl_*` cookie the browser holds, any host (values included: never write these anywhere)."""
    return [c for c in context.cookies() if str(c.get("name", "")).startswith("hhl_")]
