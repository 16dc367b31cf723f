"""`/__standin/rotate-key {"activate": kid}`: sign with an already published key again (security.auth.jwks_rotation
rotates for the length of one login, then restores the previous signing key)."""

from __future__ import annotations

import jwt

from tests.sandbox.idp.idp_flow import IdpDriver


def test_activate_restores_the_previous_signing_key(driver: IdpDriver) -> None:
    before = driver.tokens()
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    rotated = driver.hook("POST", "rotate-key", {"keep_old": True})
    restored = driver.hook("POST", "rotate-key", {"activate": old_kid})
    assert restored["kid"] == old_kid
    assert sorted(restored["kids"]) == sorted([old_kid, rotated["kid"]])  # nothing dropped, nothing new
    after = driver.refresh(before["refresh_token"]).json()
    assert jwt.get_unverified_header(after["access_token"])["kid"] == old_kid
    assert driver.hook("POST", "rotate-key", {"activate": rotated["kid"]})["kid"] == rotated["kid"]


def test_activate_refuses_an_unpublished_kid(driver: IdpDriver) -> None:
    response = driver.http.post("/__standin/rotate-key", json={"activate": "never-published"})
    assert response.status_code == 400
    assert response.json()["detail"] == ["activate: not a published kid"]
