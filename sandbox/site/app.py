"""Assembles the sandbox learning site: pages, static assets, the API proxy and the CMS-style 404."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from sandbox.site.config import make_site_config
from sandbox.site.pages import STATIC_DIR, STATIC_PREFIX, SitePages, make_template_environment
from sandbox.site.proxy import ApiProxy, proxy_routes

if TYPE_CHECKING:
    from hhl_backend.content import Catalog

LEGACY_SCRIPT = "auth-context.js"


def create_site_app(
    *,
    site_base_url: str,
    api_public_url: str,
    api_upstream_url: str,
    catalog: Catalog,
    faults: frozenset[str] = frozenset(),
) -> Starlette:
    """The site app. Raises `SiteConfigError` (a ValueError) naming a bad argument.

    Serve it with uvicorn (or `with TestClient(app)`): the proxy's HTTP client lives in the app's lifespan.

        >>> app = create_site_app(site_base_url="http://localhost:8400", api_public_url="http://localhost:8401",
        ...     api_upstream_url="http://127.0.0.1:8401", catalog=load_catalog())
    """
    config = make_site_config(
        site_base_url=site_base_url,
        api_public_url=api_public_url,
        api_upstream_url=api_upstream_url,
        catalog=catalog,
        faults=faults,
    )
    pages = SitePages(config, make_template_environment())
    proxy = ApiProxy(config.api_upstream_url)
    routes: list[BaseRoute] = pages.routes()
    if config.proxy_enabled:
        # Under site.api_proxy_off the routes are simply absent, so API paths fall through to the CMS 404.
        routes += proxy_routes(proxy)
    routes.append(Mount(STATIC_PREFIX, app=_StaticAssets(config.loads_legacy_script), name="static"))

    async def cms_not_found(request: Request, exc: Exception) -> Response:
        return pages.not_found()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await proxy.open()
        try:
            yield
        finally:
            await proxy.close()

    return Starlette(routes=routes, exception_handlers={404: cms_not_found}, lifespan=lifespan)


class _StaticAssets(StaticFiles):
    """The site's static files. The legacy script is only published while its fault is planted, as on a site
    where the old template still references it."""

    def __init__(self, serve_legacy: bool) -> None:
        super().__init__(directory=STATIC_DIR)
        self.serve_legacy = serve_legacy

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path == LEGACY_SCRIPT and not self.serve_legacy:
            return "", None
        return super().lookup_path(path)


__all__ = ["create_site_app"]
