"""`POST /__standin/users` (fresh users on demand, one per harness process) and per-user fault switches
(`/__standin/faults?user=`), which keep concurrent runs and xdist workers from seeing each other's defects."""

from __future__ import annotations

import jwt
import pytest
from starlette.applications import Starlette

from tests.sandbox.idp.idp_flow import CALLBACK, IdpDriver, asgi_request, login_error_message, query_of


def _new_user(driver: IdpDriver, **body: str) -> dict[str, str]:
    response = driver.http.post("/__standin/users", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def _tokens_of(driver: IdpDriver, username: str, password: str) -> dict:
    """The whole hosted-UI login with these credentials (fresh client state), then the code exchange."""
    driver.http.cookies.clear()
    first = driver.authorize()
    form = driver.http.get(first.headers["location"])
    response = driver.submit(form, username, password)
    assert response.status_code == 302, login_error_message(response.text)
    assert response.headers["location"].startswith(CALLBACK)
    exchanged = driver.exchange(query_of(response.headers["location"])["code"])
    assert exchanged.status_code == 200, exchanged.text
    return exchanged.json()


def test_a_new_user_signs_in_through_the_login_form(driver: IdpDriver) -> None:
    user = _new_user(driver)
    assert user.keys() == {"username", "password"}
    assert user["username"].startswith("learner-") and user["username"].endswith("@example.com")
    password = user["password"]
    assert len(password) >= 8 and any(c.isupper() for c in password) and any(c.islower() for c in password)
    assert any(c.isdigit() for c in password)
    claims = driver.verify_id(_tokens_of(driver, user["username"], password)["id_token"])
    assert claims["email"] == user["username"] and claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"]) == ("Test", "Learner")


def test_each_call_is_another_user(driver: IdpDriver) -> None:
    first, second = _new_user(driver), _new_user(driver, given_name="Ada", family_name="Lovelace")
    assert first["username"] != second["username"] and first["password"] != second["password"]
    claims = driver.verify_id(_tokens_of(driver, second["username"], second["password"])["id_token"])
    assert claims["given_name"] == "Ada"


def test_a_wrong_password_for_a_new_user_is_refused(driver: IdpDriver) -> None:
    user = _new_user(driver)
    driver.http.cookies.clear()
    form = driver.http.get(driver.authorize().headers["location"])
    response = driver.submit(form, user["username"], user["password"] + "x")
    assert response.status_code == 200
    assert login_error_message(response.text) == "Incorrect username or password."


def test_users_hook_is_loopback_only(idp_app: tuple[Starlette, str]) -> None:
    app, _ = idp_app
    response = asgi_request(app, "192.0.2.10", "POST", "/__standin/users", json={})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [{"unknown": 1}, {"given_name": "x" * 65}])
def test_users_hook_refuses_bad_bodies(driver: IdpDriver, body: dict) -> None:
    response = driver.http.post("/__standin/users", json=body)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_per_user_switches_touch_that_user_only(driver: IdpDriver) -> None:
    mine, other = _new_user(driver), _new_user(driver)
    state = driver.http.post(f"/__standin/faults?user={mine['username'].upper()}", json={"id_token": ["wrong_iss"]})
    assert state.status_code == 200 and state.json()["id_token"] == ["wrong_iss"]
    assert driver.hook("GET", "faults")["id_token"] == []  # the global set is untouched
    with pytest.raises(jwt.InvalidIssuerError):
        driver.verify_id(_tokens_of(driver, mine["username"], mine["password"])["id_token"])
    assert driver.verify_id(_tokens_of(driver, other["username"], other["password"])["id_token"])["iss"]
    cleared = driver.http.delete(f"/__standin/faults?user={mine['username']}")
    assert cleared.status_code == 200 and cleared.json()["id_token"] == []
    assert driver.verify_id(_tokens_of(driver, mine["username"], mine["password"])["id_token"])["iss"]


def test_per_user_token_endpoint_error(driver: IdpDriver) -> None:
    mine, other = _new_user(driver), _new_user(driver)
    url = f"/__standin/faults?user={mine['username']}"
    assert driver.http.post(url, json={"token_endpoint": {"mode": "error", "status": 503}}).status_code == 200
    assert _tokens_of(driver, other["username"], other["password"])["access_token"]
    driver.http.cookies.clear()
    form = driver.http.get(driver.authorize().headers["location"])
    code = query_of(driver.submit(form, mine["username"], mine["password"]).headers["location"])["code"]
    response = driver.exchange(code)
    assert (response.status_code, response.json()) == (503, {"error": "server_error"})
