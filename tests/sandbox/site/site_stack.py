"""The site under test wired to a stub API, both served on free 127.0.0.1 ports and addressed as `localhost`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import BrowserContext

from sandbox.site import create_site_app
from tests.sandbox.site.site_servers import bind_socket, port_of, serve
from tests.sandbox.site.site_stub_api import SESSION_COOKIE, STUB_SESSION, StubApiState, create_stub_api


@dataclass(frozen=True)
class SiteStack:
    site_url: str  # http://localhost:<port>: what browsers use (same site as the API, like the sandbox)
    site_direct_url: str  # http://127.0.0.1:<port>: for plain HTTP clients, no name resolution involved
    api_url: str
    api: StubApiState


@contextmanager
def serve_site_stack(catalog: Any, faults: frozenset[str] = frozenset()) -> Iterator[SiteStack]:
    site_sock, api_sock = bind_socket(), bind_socket()
    site_port, api_port = port_of(site_sock), port_of(api_sock)
    site_url, api_url = f"http://localhost:{site_port}", f"http://localhost:{api_port}"
    state = StubApiState()
    site = create_site_app(
        site_base_url=site_url,
        api_public_url=api_url,
        api_upstream_url=f"http://127.0.0.1:{api_port}",
        catalog=catalog,
        faults=faults,
    )
    with serve(create_stub_api(site_origin=site_url, state=state), api_sock), serve(site, site_sock):
        yield SiteStack(site_url, f"http://127.0.0.1:{site_port}", api_url, state)


def sign_in(context: BrowserContext, stack: SiteStack) -> None:
    """Plant the stub session cookie: host-only on `localhost`, so both the site and the API ports get it."""
    context.add_cookies([{"name": SESSION_COOKIE, "value": STUB_SESSION, "url": stack.api_url}])
