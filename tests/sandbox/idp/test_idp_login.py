"""SPEC §9 `GET/POST /login`, the `cognito` session and `GET /logout`, with the §8 form DOM."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx
import pytest

from sandbox.idp import CSRF_COOKIE, SESSION_COOKIE
from tests.sandbox.idp.idp_flow import CALLBACK, LOGOUT, PASSWORD, IdpDriver, csrf_field, login_error_message, query_of

BAD_CREDENTIALS = "Incorrect username or password."


def set_cookie(response: httpx.Response, name: str) -> SimpleCookie:
    """The parsed Set-Cookie header for `name` (attributes included)."""
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie
    raise AssertionError(f"no Set-Cookie for {name}")


def test_form_has_the_classic_dom_and_a_bound_csrf_token(driver: IdpDriver) -> None:
    form = driver.open_form()
    html = form.text
    for needle in ('id="signInFormUsername"', 'id="signInFormPassword"', 'name="signInSubmitButton"'):
        assert needle in html
    assert "Sign in with your email and password" not in html  # only COGNITO: no toggle
    assert 'id="loginErrorMessage"' not in html
    cookie = set_cookie(form, CSRF_COOKIE)[CSRF_COOKIE]
    assert cookie.value == csrf_field(html)
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert form.headers["cache-control"] == "no-store"


def test_toggle_is_shown_when_the_client_lists_more_idps(driver: IdpDriver) -> None:
    html = driver.open_form("social").text
    assert "Sign in with your email and password" in html
    assert "Continue with Google" in html
    assert 'id="signInFormUsername"' in html


def test_login_form_validates_the_authorization_request_too(driver: IdpDriver) -> None:
    response = driver.http.get("/login", params=driver.authorize_params(redirect_uri="https://evil.example/"))
    assert response.headers["location"] == "/error?error=redirect_mismatch"


def test_success_sets_the_session_and_redirects_with_code_and_state(driver: IdpDriver) -> None:
    response = driver.submit(driver.open_form(), driver.pool.users["ann"], PASSWORD)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = query_of(location)
    assert set(query) == {"code", "state"}
    assert query["state"] == driver.state
    assert len(query["code"]) >= 43  # 32 random bytes, base64url
    session = set_cookie(response, SESSION_COOKIE)[SESSION_COOKIE]
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    assert session["max-age"] == "3600"
    assert session["path"] == "/"


@pytest.mark.parametrize(("role", "password"), [("ann", "wrong-password-1!"), ("nobody", PASSWORD)])
def test_wrong_password_and_unknown_user_look_the_same(driver: IdpDriver, role: str, password: str) -> None:
    username = driver.pool.users.get(role, "nobody@example.com")
    response = driver.submit(driver.open_form(), username, password)
    assert response.status_code == 200
    assert login_error_message(response.text) == BAD_CREDENTIALS
    assert username not in response.text  # prevent user existence errors: nothing echoes the attempt
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_disabled_user_is_told_so(driver: IdpDriver) -> None:
    response = driver.submit(driver.open_form(), driver.pool.users["disabled"], PASSWORD)
    assert response.status_code == 200
    assert login_error_message(response.text) == "User is disabled."


def test_user_with_a_pending_password_change_is_not_signed_in(driver: IdpDriver) -> None:
    response = driver.submit(driver.open_form(), driver.pool.users["pending"], PASSWORD)
    assert response.status_code == 200
    assert login_error_message(response.text) not in (None, BAD_CREDENTIALS)


def test_failed_login_shows_the_form_expanded_behind_the_toggle(driver: IdpDriver) -> None:
    response = driver.submit(driver.open_form("social"), driver.pool.users["ann"], "wrong-password-1!")
    assert login_error_message(response.text) == BAD_CREDENTIALS
    assert 'id="signInFormPassword"' in response.text


@pytest.mark.parametrize("csrf", ["forged-token", ""])
def test_csrf_mismatch_is_refused(driver: IdpDriver, csrf: str) -> None:
    response = driver.submit(driver.open_form(), driver.pool.users["ann"], PASSWORD, csrf=csrf)
    assert response.status_code == 302
    assert response.headers["location"] == "/error?error=invalid_csrf_token"
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_csrf_token_without_its_cookie_is_refused(driver: IdpDriver) -> None:
    form = driver.open_form()
    driver.http.cookies.delete(CSRF_COOKIE)
    response = driver.submit(form, driver.pool.users["ann"], PASSWORD)
    assert response.headers["location"] == "/error?error=invalid_csrf_token"


def test_live_session_skips_the_form(driver: IdpDriver) -> None:
    driver.sign_in()
    again = driver.authorize()
    assert again.status_code == 302
    query = query_of(again.headers["location"])
    assert again.headers["location"].startswith(CALLBACK + "?")
    assert query["state"] == driver.state
    assert driver.exchange(query["code"]).status_code == 200


def test_session_expires_after_an_hour(driver: IdpDriver) -> None:
    driver.sign_in()
    driver.hook("POST", "clock", {"offset_s": 3601})
    assert driver.authorize().headers["location"].startswith("/login?")


def test_logout_with_a_registered_uri_clears_the_session(driver: IdpDriver) -> None:
    driver.sign_in()
    response = driver.http.get("/logout", params={"client_id": driver.pool.clients["web"], "logout_uri": LOGOUT})
    assert response.status_code == 302
    assert response.headers["location"] == LOGOUT
    cleared = set_cookie(response, SESSION_COOKIE)[SESSION_COOKIE]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert driver.authorize().headers["location"].startswith("/login?")


@pytest.mark.parametrize(
    ("client", "logout_uri", "error"),
    [
        ("web", "https://evil.example/learn", "redirect_mismatch"),
        ("web", LOGOUT + "/", "redirect_mismatch"),
        ("web", None, "invalid_request"),
        ("no-such-client", LOGOUT, "invalid_client"),
    ],
)
def test_logout_refuses_anything_but_an_exact_registered_uri(
    driver: IdpDriver, client: str, logout_uri: str | None, error: str
) -> None:
    driver.sign_in()
    params = {"client_id": driver.pool.clients.get(client, client), "logout_uri": logout_uri}
    response = driver.http.get("/logout", params={k: v for k, v in params.items() if v is not None})
    assert response.status_code == 302
    assert response.headers["location"] == f"/error?error={error}"
    assert driver.authorize().headers["location"].startswith(CALLBACK)  # session kept
