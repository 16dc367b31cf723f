"""GET|POST /auth/logout (SPEC §3.7): revoke best-effort, clear both cookies, go to the hosted-UI logout."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from tests.backend.auth_fakes import CLIENT_ID, HOSTED_UI, SITE, FakeIdp, cookie_value, set_cookie_headers

EXPECTED_LOCATION = (
    f"{HOSTED_UI}/logout?client_id={CLIENT_ID}&logout_uri=" + SITE.replace(":", "%3A").replace("/", "%2F") + "%2Flearn"
)


def _assert_logged_out(response: httpx.Response) -> None:
    assert response.status_code == 302
    assert response.headers["location"] == EXPECTED_LOCATION
    cookies = set_cookie_headers(response)
    assert set(cookies) == {"hhl_access_token", "hhl_refresh_token"}
    for name, path in (("hhl_access_token", "Path=/"), ("hhl_refresh_token", "Path=/auth")):
        parts = {p.strip() for p in cookies[name].split(";")[1:]}
        assert cookie_value(cookies[name]) == ""
        assert {"Max-Age=0", path, "HttpOnly", "Secure", "SameSite=strict"} <= parts


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_with_session_revokes(client: TestClient, idp: FakeIdp, method: str) -> None:
    response = client.request(
        method,
        "/auth/logout",
        params={"redirect_url": "https://evil.com"},
        headers={"cookie": "hhl_access_token=a; hhl_refresh_token=r-1", "content-type": "application/x-junk"},
        content=b"\x00junk",
    )
    _assert_logged_out(response)
    assert idp.revoked == {"r-1"}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_without_cookies(client: TestClient, idp: FakeIdp, method: str) -> None:
    _assert_logged_out(client.request(method, "/auth/logout"))
    assert idp.revoked == set()


def test_revocation_failure_is_ignored(client: TestClient, idp: FakeIdp) -> None:
    idp.revoke_down = True
    _assert_logged_out(client.post("/auth/logout", headers={"cookie": "hhl_refresh_token=r-1"}))
    assert idp.revoked == set()
