"""The site's API pass-through (SPEC §8) against a stub upstream: request and response travel verbatim."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import httpx
import pytest
from hhl_backend.content import Catalog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.site import create_site_app
from tests.sandbox.site.site_servers import bind_socket, port_of, serve

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
AUTHORIZE_URL = "http://127.0.0.1:9/oauth2/authorize?client_id=c&state=s"
GZIPPED_JSON = {"score": 75, "pass": True}


async def echo(request: Request) -> Response:
    return JSONResponse(
        {
            "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "body": (await request.body()).decode(),
            "cookie": request.headers.get("cookie"),
            "x_custom": request.headers.get("x-custom"),
            "host": request.headers.get("host"),
        },
        headers={"X-Upstream": "echo"},
    )


async def login(request: Request) -> Response:
    response = Response(status_code=302, headers={"Location": AUTHORIZE_URL, "Cache-Control": "no-store"})
    response.set_cookie("hhl_auth_txn", "sealed", path="/auth", httponly=True, secure=True, samesite="none")
    response.set_cookie("other_cookie", "two", path="/", httponly=True)
    return response


async def teapot(request: Request) -> Response:
    return Response("short and stout", status_code=418, headers={"X-Custom": "teapot"}, media_type="text/plain")


async def gzipped(request: Request) -> Response:
    body = gzip.compress(json.dumps(GZIPPED_JSON).encode())
    return Response(body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers={"Access-Control-Allow-Origin": "http://localhost:8400"})


def upstream_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/auth/login", login),
            Route("/progress/teapot", teapot),
            Route("/quiz/gzipped", gzipped, methods=["POST"]),
            Route("/events/preflight", preflight, methods=["OPTIONS"]),
            Route("/{path:path}", echo, methods=ALL_METHODS),
        ]
    )


@pytest.fixture(scope="module")
def site(catalog: Catalog) -> Iterator[httpx.Client]:
    upstream_sock, site_sock = bind_socket(), bind_socket()
    app = create_site_app(
        site_base_url=f"http://localhost:{port_of(site_sock)}",
        api_public_url=f"http://localhost:{port_of(site_sock)}",
        api_upstream_url=f"http://127.0.0.1:{port_of(upstream_sock)}",
        catalog=catalog,
    )
    with serve(upstream_app(), upstream_sock), serve(app, site_sock):
        base = f"http://127.0.0.1:{port_of(site_sock)}"
        with httpx.Client(base_url=base, follow_redirects=False, trust_env=False) as client:
            yield client


def test_request_method_path_query_body_and_headers_are_forwarded(site: httpx.Client) -> None:
    response = site.post(
        "/events/track?b=2&a=%2Flearn%3Fx",
        content=b'{"eventName":"learning_page_viewed"}',
        headers={"Cookie": "hhl_access_token=abc; hhl_refresh_token=def", "X-Custom": "kept"},
    )
    assert response.status_code == 200
    assert response.headers["x-upstream"] == "echo"
    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["raw_path"] == "/events/track"
    assert seen["query"] == "b=2&a=%2Flearn%3Fx"
    assert seen["body"] == '{"eventName":"learning_page_viewed"}'
    assert seen["cookie"] == "hhl_access_token=abc; hhl_refresh_token=def"
    assert seen["x_custom"] == "kept"
    # Host is rebuilt for the upstream, as any reverse proxy does.
    assert seen["host"] != site.base_url.netloc.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/me"),
        ("GET", "/auth"),
        ("POST", "/auth/logout"),
        ("OPTIONS", "/events/track"),
        ("GET", "/progress/read"),
        ("GET", "/progress/aggregate"),
        ("GET", "/enrollments/list"),
        ("POST", "/quiz/grade"),
        ("GET", "/auth/a%20b%2Fc"),
    ],
)
def test_every_api_prefix_is_proxied_with_its_raw_path(site: httpx.Client, method: str, path: str) -> None:
    response = site.request(method, path)
    assert response.status_code == 200
    assert response.json()["method"] == method
    assert response.json()["raw_path"] == path


def test_redirects_are_returned_not_followed_with_every_set_cookie(site: httpx.Client) -> None:
    response = site.get("/auth/login?redirect_url=%2Flearn")
    assert response.status_code == 302
    assert response.headers["location"] == AUTHORIZE_URL
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 2
    assert cookies[0].startswith("hhl_auth_txn=sealed;")
    assert "Path=/auth" in cookies[0] and "SameSite=none" in cookies[0]
    assert cookies[1].startswith("other_cookie=two;")
    assert response.headers["cache-control"] == "no-store"


def test_status_headers_and_body_pass_through(site: httpx.Client) -> None:
    response = site.get("/progress/teapot")
    assert response.status_code == 418
    assert response.headers["x-custom"] == "teapot"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "short and stout"


def test_head_keeps_the_upstream_length_and_no_content_responses_get_no_length(site: httpx.Client) -> None:
    head = site.head("/progress/teapot")
    assert (head.status_code, head.headers["content-length"], head.content) == (418, str(len(b"short and stout")), b"")
    preflight = site.options("/events/preflight")
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:8400"
    assert "content-length" not in preflight.headers
    # The serving process writes Date/Server itself; the upstream's copies are not repeated.
    assert len(preflight.headers.get_list("date")) == 1


def test_encoded_bodies_pass_through_still_encoded(site: httpx.Client) -> None:
    response = site.post("/quiz/gzipped")
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(gzip.compress(json.dumps(GZIPPED_JSON).encode()))
    assert response.json() == GZIPPED_JSON


def test_non_api_lookalike_paths_are_not_proxied(site: httpx.Client) -> None:
    response = site.get("/authx/me")
    assert response.status_code == 404
    assert "Page Not Found" in response.text


def test_an_unreachable_upstream_is_a_clear_502(catalog: Catalog) -> None:
    closed, site_sock = bind_socket(), bind_socket()  # `closed` is bound but never listens: connection refused
    app = create_site_app(
        site_base_url="http://localhost:8400",
        api_public_url="http://localhost:8401",
        api_upstream_url=f"http://127.0.0.1:{port_of(closed)}",
        catalog=catalog,
    )
    with serve(app, site_sock):
        response = httpx.get(f"http://127.0.0.1:{port_of(site_sock)}/auth/me", trust_env=False)
    closed.close()
    assert response.status_code == 502
    assert "upstream" in response.text
