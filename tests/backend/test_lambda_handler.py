"""The Lambda handler with API Gateway HTTP API v2 events (SPEC §3.2): cookies in and out of the v2 fields."""

from __future__ import annotations

import importlib

import pytest
from hhl_backend.config import ConfigError
from hhl_backend.lambda_handler import build_handler

from tests.backend.auth_fakes import SITE, FakeIdp, FakeStore, base_env, start_login
from tests.backend.lambda_invoke import CONTEXT, off_main_loop, v2_event


@pytest.fixture
def handler(make_client):  # type: ignore[no-untyped-def]
    return off_main_loop(build_handler(make_client().app))


def test_callback_reads_event_cookies_and_returns_cookie_array(handler, idp: FakeIdp, make_client) -> None:  # type: ignore[no-untyped-def]
    location, state, txn = start_login(make_client())
    code = idp.issue_code(location)
    result = handler(
        v2_event("GET", "/auth/callback", query={"code": code, "state": state}, cookies=[f"hhl_auth_txn={txn}"]),
        CONTEXT,
    )
    assert result["statusCode"] == 302
    assert result["headers"]["location"] == SITE + "/learn/courses/x"
    names = sorted(cookie.split("=", 1)[0] for cookie in result["cookies"])
    assert names == ["hhl_access_token", "hhl_auth_txn", "hhl_refresh_token"]
    assert "set-cookie" not in {k.lower() for k in result["headers"]}


def test_me_reads_access_token_from_event_cookies(handler, idp: FakeIdp, store: FakeStore) -> None:  # type: ignore[no-untyped-def]
    store.upsert_user_profile("user-1", {"email": "learner@example.test"})
    result = handler(
        v2_event("GET", "/auth/me", cookies=["other=1", f"hhl_access_token={idp.access_token()}"]), CONTEXT
    )
    assert result["statusCode"] == 200
    assert result["headers"]["content-type"] == "application/json"
    assert result["headers"]["x-content-type-options"] == "nosniff"


def test_me_without_cookies_is_401(handler) -> None:  # type: ignore[no-untyped-def]
    result = handler(v2_event("GET", "/auth/me"), CONTEXT)
    assert result["statusCode"] == 401
    assert result["headers"]["www-authenticate"] == 'Bearer realm="Hedgehog Learn"'


def test_logout_clears_both_cookies_as_separate_entries(handler) -> None:  # type: ignore[no-untyped-def]
    result = handler(v2_event("POST", "/auth/logout", cookies=["hhl_refresh_token=r-1"]), CONTEXT)
    assert result["statusCode"] == 302
    assert len(result["cookies"]) == 2 and all("Max-Age=0" in c for c in result["cookies"])


def test_module_handler_builds_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("hhl_backend.lambda_handler")
    monkeypatch.delitem(module.__dict__, "handler", raising=False)
    for name in base_env():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="COGNITO_CLIENT_ID"):
        _ = module.handler  # refuses to start without configuration
    monkeypatch.delitem(module.__dict__, "handler", raising=False)
