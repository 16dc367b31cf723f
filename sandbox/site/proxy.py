"""The site's API pass-through (SPEC §8): `/auth/*`, `/events/*`, ... forwarded verbatim to the API upstream.

A transparent hop: method, path, query, body and headers (cookies included) go up; status, headers (each
Set-Cookie separately) and the raw body come back. Redirects are returned, never followed, because the
harness asserts every 302 itself.
"""

from __future__ import annotations

import logging

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

logger = logging.getLogger(__name__)

PROXIED_PREFIXES = ("auth", "events", "progress", "enrollments", "quiz")
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded. `host` is rebuilt by
# httpx for the upstream; content-length is recomputed for the body actually sent.
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
    }
)
# The serving process writes its own Date and Server; the upstream's copies would be duplicates.
_SERVER_OWN = frozenset({b"date", b"server"})
UPSTREAM_TIMEOUT_S = 30.0


def _content_length(method: str, upstream: httpx.Response, body: bytes) -> list[tuple[bytes, bytes]]:
    """The framing header for what is actually sent: none where HTTP forbids it, the upstream's for HEAD."""
    if upstream.status_code < 200 or upstream.status_code in (204, 304):
        return []
    if method == "HEAD":
        declared = upstream.headers.get("content-length")
        return [(b"content-length", declared.encode())] if declared else []
    return [(b"content-length", str(len(body)).encode())]


def _forwardable(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]


class ApiProxy:
    """Forwards one request to `upstream_url` with a shared AsyncClient (opened/closed by the app's lifespan)."""

    def __init__(self, upstream_url: str) -> None:
        self.upstream_url = upstream_url
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        # No env proxies (trust_env=False): the upstream is always a local address.
        self._client = httpx.AsyncClient(follow_redirects=False, timeout=UPSTREAM_TIMEOUT_S, trust_env=False)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def forward(self, request: Request) -> Response:
        if self._client is None:
            raise RuntimeError("ApiProxy used outside the app lifespan (serve the app, or use TestClient as `with`)")
        query = request.scope.get("query_string", b"")
        # raw_path keeps the client's percent-encoding exactly; servers without it get the decoded path.
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        url = self.upstream_url + raw_path.decode("latin-1")
        if query:
            url += "?" + query.decode("latin-1")
        upstream_request = self._client.build_request(
            request.method, url, headers=_forwardable(request.headers.raw), content=await request.body()
        )
        try:
            upstream = await self._client.send(upstream_request, stream=True)
            try:
                # Raw bytes: the body is passed through still encoded, so Content-Encoding stays truthful.
                body = b"".join([chunk async for chunk in upstream.aiter_raw()])
            finally:
                await upstream.aclose()
        except httpx.HTTPError as exc:
            # The path is logged, never the query (it may carry a code or state).
            logger.warning("api proxy: upstream failed for %s %s: %s", request.method, request.url.path, exc)
            return PlainTextResponse("Bad Gateway: the API upstream did not answer", status_code=502)
        response = Response(content=body, status_code=upstream.status_code)
        # raw headers keep duplicates, so every Set-Cookie travels as its own header line.
        headers = [(k, v) for k, v in _forwardable(upstream.headers.raw) if k.lower() not in _SERVER_OWN]
        response.raw_headers = headers + _content_length(request.method, upstream, body)
        return response


def proxy_routes(proxy: ApiProxy) -> list[BaseRoute]:
    """One catch-all route per proxied prefix (`/auth` and `/auth/...`)."""
    routes: list[BaseRoute] = []
    for prefix in PROXIED_PREFIXES:
        routes.append(Route(f"/{prefix}", proxy.forward, methods=PROXIED_METHODS))
        routes.append(Route(f"/{prefix}/{{rest:path}}", proxy.forward, methods=PROXIED_METHODS))
    return routes
