"""SPEC §9 `GET /oauth2/authorize`: every error rule in order, the exact redirect targets, and `/error`."""

from __future__ import annotations

import pytest

from tests.sandbox.idp.idp_flow import CALLBACK, IdpDriver, query_of
from tests.sandbox.idp.idp_pool import WEB_CLIENT, cognito


def test_valid_request_goes_to_login_with_the_same_query(driver: IdpDriver) -> None:
    response = driver.authorize()
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith("/login?")
    assert query_of(location) == driver.authorize_params()


@pytest.mark.parametrize("client_id", ["no-such-client", None])
def test_unknown_or_missing_client_goes_to_the_error_page(driver: IdpDriver, client_id: str | None) -> None:
    response = driver.authorize(client_id=client_id)
    assert response.status_code == 302
    assert response.headers["location"] == "/error?error=invalid_client"


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/cb", CALLBACK + "/", CALLBACK.upper(), None])
def test_unregistered_redirect_uri_never_gets_a_redirect(driver: IdpDriver, redirect_uri: str | None) -> None:
    response = driver.authorize(redirect_uri=redirect_uri)
    assert response.status_code == 302
    assert response.headers["location"] == "/error?error=redirect_mismatch"


def test_client_settings_are_read_on_every_request(driver: IdpDriver, moto) -> None:
    """A client that loses the sandbox callback URL fails at once, as Cognito would (fault client.drop_callback_url)."""
    assert driver.authorize("mutable").headers["location"].startswith("/login?")
    client = cognito(moto)
    pool_id, client_id = driver.pool.pool_id, driver.pool.clients["mutable"]
    client.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, **{**WEB_CLIENT, "CallbackURLs": ["http://localhost:9/other"]}
    )
    try:
        assert driver.authorize("mutable").headers["location"] == "/error?error=redirect_mismatch"
    finally:
        client.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, **WEB_CLIENT)
    assert driver.authorize("mutable").headers["location"].startswith("/login?")


@pytest.mark.parametrize(
    ("client", "overrides", "error"),
    [
        ("web", {"response_type": "token"}, "unsupported_response_type"),
        ("web", {"response_type": None}, "unsupported_response_type"),
        ("noflow", {}, "unauthorized_client"),
        ("web", {"scope": "openid email aws.cognito.signin.user.admin"}, "invalid_scope"),
        ("web", {"scope": "openid phone"}, "invalid_scope"),
        ("web", {"code_challenge": None}, "invalid_request"),
        ("web", {"code_challenge_method": "plain"}, "invalid_request"),
        ("web", {"code_challenge_method": None}, "invalid_request"),
        ("web", {"code_challenge": "too-short"}, "invalid_request"),
    ],
)
def test_later_errors_go_back_to_the_client_with_state(
    driver: IdpDriver, client: str, overrides: dict[str, str | None], error: str
) -> None:
    response = driver.authorize(client, **overrides)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    assert query_of(location) == {"error": error, "state": driver.state}


def test_error_redirect_without_state_carries_no_state(driver: IdpDriver) -> None:
    response = driver.authorize(response_type="token", state=None)
    assert query_of(response.headers["location"]) == {"error": "unsupported_response_type"}


def test_rules_apply_in_order(driver: IdpDriver) -> None:
    """A request wrong in every way reports the first rule only, and never reaches the bad redirect URI."""
    response = driver.authorize(client_id="nope", redirect_uri="https://evil.example/", response_type="token")
    assert response.headers["location"] == "/error?error=invalid_client"
    response = driver.authorize(redirect_uri="https://evil.example/", response_type="token", scope="admin")
    assert response.headers["location"] == "/error?error=redirect_mismatch"
    response = driver.authorize(response_type="token", scope="admin", code_challenge=None)
    assert query_of(response.headers["location"])["error"] == "unsupported_response_type"
    response = driver.authorize(scope="admin", code_challenge=None)
    assert query_of(response.headers["location"])["error"] == "invalid_scope"


def test_error_page_is_a_400_naming_the_code(driver: IdpDriver) -> None:
    response = driver.http.get("/error", params={"error": "redirect_mismatch"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "An error was encountered with the requested page." in response.text
    assert "redirect_mismatch" in response.text


def test_error_page_escapes_the_code(driver: IdpDriver) -> None:
    response = driver.http.get("/error", params={"error": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in response.text
