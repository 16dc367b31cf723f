"""The data half's routes (SPEC §3.1): progress store, events and quiz; `create_app` mounts `routes`."""

from __future__ import annotations

from starlette.routing import Route

from hhl_backend.routes.events import track
from hhl_backend.routes.progress import enrollments_list, progress_aggregate, progress_read
from hhl_backend.routes.quiz import grade_quiz

routes: list[Route] = [
    Route("/enrollments/list", enrollments_list, methods=["GET"]),
    Route("/progress/read", progress_read, methods=["GET"]),
    Route("/progress/aggregate", progress_aggregate, methods=["GET"]),
    Route("/events/track", track, methods=["POST"]),
    Route("/quiz/grade", grade_quiz, methods=["POST"]),
]
