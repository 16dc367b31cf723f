"""The seam that matters in the sandbox: the reference backend's token verifier (SPEC §3.5) against the stand-in.

Healthy tokens must pass it, and every injected token fault must be refused by it, through the JWKS the
stand-in serves (a fault the backend would accept would make the harness's negative tests meaningless).
"""

from __future__ import annotations

import pytest
from hhl_backend.auth.tokens import InvalidToken, JwksCache, TokenVerifier

from tests.sandbox.idp.idp_flow import IdpDriver


def backend_verifier(driver: IdpDriver) -> TokenVerifier:
    jwks = JwksCache(f"{driver.issuer}/.well-known/jwks.json", driver.http, timeout_s=5)
    return TokenVerifier(issuer=driver.issuer, client_id=driver.pool.clients["web"], jwks=jwks)


def test_backend_accepts_healthy_tokens(driver: IdpDriver) -> None:
    tokens = driver.tokens()
    verifier = backend_verifier(driver)
    assert verifier.verify_id(tokens["id_token"], nonce=driver.nonce)["sub"] == driver.pool.subs["ann"]
    assert verifier.verify_access(tokens["access_token"])["sub"] == driver.pool.subs["ann"]
    refreshed = driver.refresh(tokens["refresh_token"]).json()
    assert verifier.verify_access(refreshed["access_token"])["token_use"] == "access"


@pytest.mark.parametrize("defect", ["wrong_nonce", "wrong_aud", "wrong_iss", "expired", "hs256"])
def test_backend_refuses_each_id_token_fault(driver: IdpDriver, defect: str) -> None:
    driver.hook("POST", "faults", {"id_token": [defect]})
    tokens = driver.tokens()
    with pytest.raises(InvalidToken):
        backend_verifier(driver).verify_id(tokens["id_token"], nonce=driver.nonce)


@pytest.mark.parametrize("defect", ["wrong_client_id", "wrong_iss", "expired", "hs256"])
def test_backend_refuses_each_access_token_fault(driver: IdpDriver, defect: str) -> None:
    driver.hook("POST", "faults", {"access_token": [defect]})
    tokens = driver.tokens()
    with pytest.raises(InvalidToken):
        backend_verifier(driver).verify_access(tokens["access_token"])


def test_backend_follows_a_key_rotation(driver: IdpDriver) -> None:
    verifier = backend_verifier(driver)
    first = driver.tokens()
    assert verifier.verify_access(first["access_token"])  # caches the JWKS with the first kid
    driver.hook("POST", "rotate-key", {"keep_old": False})
    rotated = driver.refresh(first["refresh_token"]).json()
    assert verifier.verify_access(rotated["access_token"])["sub"] == driver.pool.subs["ann"]  # unknown kid → refetch
    with pytest.raises(InvalidToken):
        verifier.verify_access(first["access_token"])  # dropped kid, no second refetch within 60 s
