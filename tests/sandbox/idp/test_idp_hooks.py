"""SPEC §9 loopback-only hooks: key rotation, injected token faults, the clock; and app construction."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from sandbox.idp import create_idp_app
from sandbox.ports import free_port
from tests.sandbox.idp.idp_flow import IdpDriver, asgi_request
from tests.sandbox.idp.idp_pool import REGION


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "rotate-key"), ("GET", "faults"), ("POST", "faults"), ("DELETE", "faults"), ("POST", "clock")],
)
def test_hooks_refuse_non_loopback_clients(idp_app: tuple[Starlette, str], method: str, path: str) -> None:
    app, _ = idp_app
    response = asgi_request(app, "192.0.2.10", method, f"/__standin/{path}", json={})
    assert response.status_code == 403
    assert app.state.idp.switches.as_json()["id_token"] == []


def test_rotation_keeping_the_old_key(driver: IdpDriver) -> None:
    before = driver.tokens()
    old_kid = jwt.get_unverified_header(before["id_token"])["kid"]
    rotated = driver.hook("POST", "rotate-key", {"keep_old": True})
    assert rotated["kid"] != old_kid
    assert rotated["kids"] == [rotated["kid"], old_kid]
    served = [key["kid"] for key in driver.http.get(f"/{driver.pool.pool_id}/.well-known/jwks.json").json()["keys"]]
    assert served == [rotated["kid"], old_kid]
    assert driver.verify_id(before["id_token"])["token_use"] == "id"  # old tokens still verify
    after = driver.refresh(before["refresh_token"]).json()
    assert jwt.get_unverified_header(after["access_token"])["kid"] == rotated["kid"]
    assert driver.verify_access(after["access_token"])["token_use"] == "access"


def test_rotation_dropping_the_old_key(driver: IdpDriver) -> None:
    before = driver.tokens()
    rotated = driver.hook("POST", "rotate-key", {"keep_old": False})
    assert rotated["kids"] == [rotated["kid"]]
    with pytest.raises(jwt.PyJWKClientError):
        driver.verify_id(before["id_token"])
    after = driver.refresh(before["refresh_token"]).json()
    assert driver.verify_id(after["id_token"])["sub"] == driver.pool.subs["ann"]


def test_rotation_keeps_the_old_key_by_default(driver: IdpDriver) -> None:
    response = driver.http.post("/__standin/rotate-key")
    assert response.status_code == 200
    assert len(response.json()["kids"]) == 2


def test_token_endpoint_error_fault(driver: IdpDriver) -> None:
    refresh_token = driver.tokens()["refresh_token"]
    state = driver.hook("POST", "faults", {"token_endpoint": {"mode": "error", "status": 502}})
    assert state["token_endpoint"] == {"mode": "error", "status": 502}
    code = driver.sign_in()
    for response in (driver.exchange(code), driver.refresh(refresh_token)):
        assert (response.status_code, response.json()) == (502, {"error": "server_error"})
    driver.hook("DELETE", "faults")
    assert driver.refresh(refresh_token).status_code == 200


def test_token_endpoint_timeout_fault(driver: IdpDriver) -> None:
    driver.hook("POST", "faults", {"token_endpoint": {"mode": "timeout", "delay_s": 0.6}})
    with pytest.raises(httpx.ReadTimeout):
        driver.http.post("/oauth2/token", data={"grant_type": "refresh_token"}, timeout=0.2)
    started = time.monotonic()
    response = driver.exchange(driver.sign_in())
    assert response.status_code == 200  # a slow IdP, not a broken one
    assert time.monotonic() - started >= 0.6


ID_DEFECTS = [
    ("wrong_aud", jwt.InvalidAudienceError),
    ("wrong_iss", jwt.InvalidIssuerError),
    ("expired", jwt.ExpiredSignatureError),
    ("hs256", jwt.InvalidAlgorithmError),
]
ACCESS_DEFECTS = [
    ("wrong_iss", jwt.InvalidIssuerError),
    ("expired", jwt.ExpiredSignatureError),
    ("hs256", jwt.InvalidAlgorithmError),
]


@pytest.mark.parametrize(("defect", "error"), ID_DEFECTS)
def test_id_token_faults_fail_verification(driver: IdpDriver, defect: str, error: type[Exception]) -> None:
    driver.hook("POST", "faults", {"id_token": [defect]})
    tokens = driver.tokens()
    with pytest.raises(error):
        driver.verify_id(tokens["id_token"])
    assert driver.verify_access(tokens["access_token"])["token_use"] == "access"  # only the ID token is defective


@pytest.mark.parametrize(("defect", "error"), ACCESS_DEFECTS)
def test_access_token_faults_fail_verification(driver: IdpDriver, defect: str, error: type[Exception]) -> None:
    driver.hook("POST", "faults", {"access_token": [defect]})
    tokens = driver.tokens()
    with pytest.raises(error):
        driver.verify_access(tokens["access_token"])
    assert driver.verify_id(tokens["id_token"])["token_use"] == "id"


def test_wrong_nonce_fault(driver: IdpDriver) -> None:
    driver.hook("POST", "faults", {"id_token": ["wrong_nonce"]})
    claims = driver.verify_id(driver.tokens()["id_token"])
    assert claims["nonce"] != driver.nonce


def test_wrong_client_id_fault(driver: IdpDriver) -> None:
    driver.hook("POST", "faults", {"access_token": ["wrong_client_id"]})
    claims = driver.verify_access(driver.tokens()["access_token"])
    assert claims["client_id"] != driver.pool.clients["web"]


def test_hs256_fault_uses_the_real_kid(driver: IdpDriver) -> None:
    driver.hook("POST", "faults", {"id_token": ["hs256"]})
    header = jwt.get_unverified_header(driver.tokens()["id_token"])
    assert header["alg"] == "HS256"
    assert header["kid"] == driver.hook("POST", "rotate-key", {"keep_old": True})["kids"][1]


def test_token_faults_apply_to_refreshes(driver: IdpDriver) -> None:
    refresh_token = driver.tokens()["refresh_token"]
    driver.hook("POST", "faults", {"access_token": ["expired"]})
    with pytest.raises(jwt.ExpiredSignatureError):
        driver.verify_access(driver.refresh(refresh_token).json()["access_token"])


def test_faults_are_replaced_shown_and_cleared(driver: IdpDriver) -> None:
    assert driver.hook("GET", "faults") == {"token_endpoint": None, "id_token": [], "access_token": []}
    driver.hook("POST", "faults", {"id_token": ["wrong_iss", "expired"]})
    state = driver.hook("POST", "faults", {"access_token": ["hs256"]})
    assert state == {"token_endpoint": None, "id_token": [], "access_token": ["hs256"]}
    assert driver.hook("DELETE", "faults")["access_token"] == []
    tokens = driver.tokens()
    assert driver.verify_access(tokens["access_token"])["token_use"] == "access"


@pytest.mark.parametrize(
    "body",
    [
        b'{"id_token": ["not_a_defect"]}',
        b'{"access_token": ["wrong_aud"]}',
        b'{"token_endpoint": {"mode": "timeout", "delay_s": 3600}}',
        b'{"token_endpoint": {"mode": "error", "status": 404}}',
        b'{"token_endpoint": {"mode": "sometimes"}}',
        b'{"unknown": true}',
        b"not json",
    ],
)
def test_malformed_fault_bodies_are_a_clear_400(driver: IdpDriver, body: bytes) -> None:
    response = driver.http.post("/__standin/faults", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "invalid_request"
    assert payload["detail"] and all(isinstance(line, str) for line in payload["detail"])
    assert driver.hook("GET", "faults")["id_token"] == []


def test_clock_offset_shifts_token_times(driver: IdpDriver) -> None:
    assert driver.hook("GET", "clock")["offset_s"] == 0
    state = driver.hook("POST", "clock", {"offset_s": -7200})
    assert state["offset_s"] == -7200
    assert abs(state["now"] - (time.time() - 7200)) < 5
    with pytest.raises(jwt.ExpiredSignatureError):
        driver.verify_access(driver.tokens()["access_token"])


@pytest.mark.parametrize("body", [{}, {"offset_s": "soon"}, {"offset_s": 1e12}])
def test_clock_rejects_bad_bodies(driver: IdpDriver, body: dict) -> None:
    response = driver.http.post("/__standin/clock", json=body)
    assert response.status_code == 400
    assert driver.hook("GET", "clock")["offset_s"] == 0


def test_sandbox_fault_names_are_accepted_and_kept(idp_app: tuple[Starlette, str]) -> None:
    app, _ = idp_app
    assert app.state.idp.sandbox_faults == frozenset({"idp.jwks_unreachable", "no.such_fault"})


@pytest.mark.parametrize(("base_url", "pool_id"), [("127.0.0.1:8402", "us-west-2_x"), ("http://127.0.0.1:8402", "")])
def test_bad_construction_arguments_are_refused(base_url: str, pool_id: str) -> None:
    with pytest.raises(ValueError, match=r"public_base_url|user_pool_id"):
        create_idp_app(
            aws_endpoint_url="http://127.0.0.1:1", region=REGION, user_pool_id=pool_id, public_base_url=base_url
        )


def test_unreachable_moto_is_a_500_without_details() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_idp_app(
        aws_endpoint_url=dead, region=REGION, user_pool_id="us-west-2_x", public_base_url="http://127.0.0.1:8402"
    )
    response = asgi_request(app, "127.0.0.1", "GET", "/oauth2/authorize", params={"client_id": "abc"})
    assert (response.status_code, response.json()) == (500, {"error": "server_error"})


def test_rotation_says_how_long_ago_the_jwks_was_last_served(driver: IdpDriver) -> None:
    """security.auth.jwks_rotation bounds its wait by this: no backend holds a JWKS newer than the last one served."""
    driver.http.get(f"/{driver.pool.pool_id}/.well-known/jwks.json")
    rotated = driver.hook("POST", "rotate-key", {"keep_old": True})
    assert 0 <= rotated["jwks_served_s_ago"] < 5
