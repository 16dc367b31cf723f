"""Read routes (SPEC §3.11): `/progress/read`, `/progress/aggregate`, `/enrollments/list`.

Identity comes from the seams' resolver only; `?email=`/`?contactId=` are shape-checked and never used (D7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hhl_backend.blocking import run_blocking
from hhl_backend.errors import error_response, json_response, unauthorized
from hhl_backend.identity import Identity
from hhl_backend.logs import log_event
from hhl_backend.routes.validation import Checker, check_identity_query, schema_error
from hhl_backend.store import (
    Store,
    StoreError,
    UserData,
    build_enrollment_list,
    build_progress_read,
    course_aggregate,
    pathway_aggregate,
)

QUERY_MESSAGE = "Invalid query parameters"
ANONYMOUS = {"mode": "anonymous"}
AGGREGATE_TYPES = ("course", "pathway")


def _identity(request: Request) -> Identity | None:
    return request.app.state.seams.identity_resolver(request)


async def _authenticated_read(
    request: Request, read: Callable[[Store, str], dict[str, Any]], fallback: dict[str, Any], failure: str
) -> Response:
    """Anonymous → `{"mode":"anonymous"}`; else `read(store, sub)`, or the 200 fallback shape on a DynamoDB error."""

    def run() -> dict[str, Any]:
        identity = _identity(request)
        if identity is None:
            return ANONYMOUS
        try:
            return read(request.app.state.store, identity.sub)
        except StoreError as exc:
            log_event(failure, level=logging.ERROR, reason=str(exc))
            return fallback

    body = await run_blocking(request, run)
    return json_response(body, no_store=body is not ANONYMOUS)


async def progress_read(request: Request) -> Response:
    check = Checker()
    check_identity_query(request.query_params, check)
    if check.details:
        return schema_error(QUERY_MESSAGE, check.details).response(request)
    catalog = request.app.state.catalog
    return await _authenticated_read(
        request,
        lambda store, sub: build_progress_read(store.load_user_data(sub), catalog),
        {"mode": "fallback", "error": "Unable to read progress"},
        "progress_read_failed",
    )


def _aggregate(store: Store, sub: str, kind: str, slug: str, request: Request) -> dict[str, Any]:
    catalog = request.app.state.catalog
    if kind == "course":
        data = UserData(store.list_enrollments(sub), {slug: store.progress_rows(sub, slug)}, None)
        return course_aggregate(slug, data, catalog)
    pathway = catalog.pathways.get(slug)
    data = store.load_user_data(sub, extra_courses=pathway.courses if pathway else ())
    return pathway_aggregate(slug, data, catalog)


async def progress_aggregate(request: Request) -> Response:
    query = request.query_params
    check = Checker()
    kind = query.get("type")
    if kind not in AGGREGATE_TYPES:
        check.fail("type", "must be course or pathway")
    slug = check.slug(query.get("slug") or None, "slug", required=True)
    check_identity_query(query, check)
    if check.details:
        return schema_error(QUERY_MESSAGE, check.details).response(request)
    return await _authenticated_read(
        request,
        lambda store, sub: _aggregate(store, sub, str(kind), str(slug), request),
        {"mode": "fallback", "error": "Unable to fetch progress"},
        "progress_aggregate_failed",
    )


async def enrollments_list(request: Request) -> Response:
    """Session required: anonymous is a 401 whatever `?email=` says (SPEC §3.8)."""

    def run() -> Response:
        identity = _identity(request)
        if identity is None:
            return unauthorized()
        try:
            enrollments = request.app.state.store.list_enrollments(identity.sub)
        except StoreError as exc:
            log_event("enrollments_list_failed", level=logging.ERROR, reason=str(exc))
            return error_response("Unable to fetch enrollments", 500, no_store=True)
        return json_response(build_enrollment_list(enrollments), no_store=True)

    return await run_blocking(request, run)
