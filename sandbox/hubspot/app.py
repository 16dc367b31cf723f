"""Assembly of the HubSpot CRM stand-in: one Starlette app per sandbox, its state on `app.state.hubspot`."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from sandbox.hubspot import contacts, hooks, properties
from sandbox.hubspot.context import Clock, HubSpotContext


def create_hubspot_app(*, token: str, extra_routes: Sequence[BaseRoute] = (), clock: Clock | None = None) -> Starlette:
    """The HubSpot CRM v3 stand-in of SPEC §7 (contacts, contact properties, `/__standin/*` hooks), accepting
    `Authorization: Bearer <token>`. `extra_routes` are served as well (the stream poller's `/__standin/sync`; any
    `/__standin/` path is loopback-only);
    `clock` lets tests move the time the Retry-After window is judged on.

    Example::

        app = create_hubspot_app(token=secrets.token_urlsafe(32))
        uvicorn.run(app, host="127.0.0.1", port=ports.hubspot)
    """
    if not token:
        raise ValueError("token is required")
    app = Starlette(
        routes=[*contacts.ROUTES, *properties.ROUTES, *hooks.ROUTES, *extra_routes],
        middleware=[Middleware(hooks.LoopbackHooks)],
        exception_handlers={hooks.HookBodyError: hooks.hook_body_error},
    )
    app.state.hubspot = HubSpotContext(token=token, clock=clock or Clock())
    return app
