"""A stub of the API the site's auth script talks to: /auth/me, /auth/login, /enrollments/list, /events/track.

Just enough of SPEC §3 for the browser tests: a session is the `hhl_access_token` cookie equal to
STUB_SESSION; CORS allows the site origin with credentials, as the gateway does (SPEC §3.2).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

SESSION_COOKIE = "hhl_access_token"
STUB_SESSION = "stub-session-not-a-secret"
PROFILE = {
    "userId": "3f0f8f5e-8a51-4a5e-9a52-6a2d1c0e7b11",
    "email": "ada@example.test",
    "displayName": "Ada Lovelace",
    "givenName": "Ada",
    "familyName": "Lovelace",
    "hubspotContactId": "90210",
    "createdAt": "2026-11-25T10:00:00.000Z",
    "updatedAt": "2026-11-25T10:00:00.000Z",
}
GATE_TIMEOUT_S = 10.0


@dataclass
class StubApiState:
    """What the stub has seen and holds. Tests read `events` and seed `courses`/`pathways`."""

    courses: list[str] = field(default_factory=list)
    pathways: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    me_status: int | None = None  # force /auth/me to answer this status (e.g. 500)
    profile: dict[str, str] = field(default_factory=lambda: dict(PROFILE))
    # Cleared = /enrollments/list waits, so a test can observe the "Checking enrollment..." state.
    enrollments_gate: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.enrollments_gate.set()

    def reset(self) -> None:
        self.courses.clear()
        self.pathways.clear()
        self.events.clear()
        self.me_status = None
        self.profile = dict(PROFILE)
        self.enrollments_gate.set()


def _signed_in(request: Request) -> bool:
    return request.cookies.get(SESSION_COOKIE) == STUB_SESSION


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, 401, headers={"WWW-Authenticate": 'Bearer realm="Hedgehog Learn"'})


def create_stub_api(*, site_origin: str, state: StubApiState) -> Starlette:
    async def me(request: Request) -> Response:
        if state.me_status is not None:
            return JSONResponse({"error": "forced by the test"}, state.me_status)
        if not _signed_in(request):
            return _unauthorized("Unauthorized: Missing access token")
        return JSONResponse(state.profile, headers={"Cache-Control": "no-store, private"})

    async def login(request: Request) -> Response:
        # Stands in for the hosted-UI hop: the tests only assert where login() navigated.
        return HTMLResponse("<h1>stub login</h1>")

    async def enrollments(request: Request) -> Response:
        await anyio.to_thread.run_sync(state.enrollments_gate.wait, GATE_TIMEOUT_S)
        if not _signed_in(request):
            return _unauthorized("Unauthorized")
        body = {
            "mode": "authenticated",
            "enrollments": {
                "pathways": [{"slug": s, "enrolled_at": None, "enrollment_source": None} for s in state.pathways],
                "courses": [
                    {"slug": s, "pathway_slug": None, "enrolled_at": None, "enrollment_source": None}
                    for s in state.courses
                ],
            },
        }
        return JSONResponse(body)

    async def track(request: Request) -> Response:
        event = json.loads(await request.body())
        signed_in = _signed_in(request)
        state.events.append({**event, "_signed_in": signed_in})
        if not signed_in:
            return JSONResponse({"status": "logged", "mode": "anonymous"})
        if event.get("eventName") == "learning_course_enrolled":
            state.courses.append(event["course_slug"])
        elif event.get("eventName") == "learning_pathway_enrolled":
            state.pathways.append(event["pathway_slug"])
        return JSONResponse({"status": "persisted", "mode": "authenticated", "backend": "dynamodb"})

    return Starlette(
        routes=[
            Route("/auth/me", me),
            Route("/auth/login", login),
            Route("/enrollments/list", enrollments),
            Route("/events/track", track, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=[site_origin],
                allow_credentials=True,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "origin"],
            )
        ],
    )
