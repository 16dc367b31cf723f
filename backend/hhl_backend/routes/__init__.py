"""Every route of the Lambda application: the auth half (routes/auth.py) and the data half (routes/data.py)."""

from __future__ import annotations

from starlette.routing import Route


def all_routes() -> list[Route]:
    """The 10 route keys of SPEC §3.1 (GET and POST logout share one Route)."""
    from hhl_backend.routes import auth, data

    return [*auth.routes, *data.routes]
