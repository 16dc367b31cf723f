"""Application wiring (SPEC §3.1): config refusal, common headers, the JSON 500, JSON-lines logs without secrets."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from hhl_backend.app import create_app
from hhl_backend.config import ConfigError, load_settings
from hhl_backend.logs import JsonLineFormatter
from hhl_backend.seams import Seams
from starlette.testclient import TestClient

from tests.backend.auth_fakes import FakeIdp, base_env, complete_login

SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="  # 35 bytes, must never be echoed


def test_missing_config_names_every_variable_never_values() -> None:
    env = base_env(AUTH_COOKIE_SECRET="c2hvcnQ=", SITE_BASE_URL="not a url", IDP_TIMEOUT_S="soon")
    del env["COGNITO_ISSUER"], env["DYNAMODB_BADGES_TABLE"]
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    message = str(info.value)
    for name in ("COGNITO_ISSUER", "DYNAMODB_BADGES_TABLE", "AUTH_COOKIE_SECRET", "SITE_BASE_URL", "IDP_TIMEOUT_S"):
        assert name in message
    assert "c2hvcnQ=" not in message and "not a url" not in message


def test_config_defaults_and_domain_forms() -> None:
    settings = load_settings(base_env(COGNITO_DOMAIN="x.auth.us-west-2.amazoncognito.com", AUTH_COOKIE_SECRET=SECRET))
    assert settings.cognito_base_url == "https://x.auth.us-west-2.amazoncognito.com"
    assert settings.cognito_jwks_url == settings.cognito_issuer + "/.well-known/jwks.json"
    assert settings.cognito_logout_uri == settings.site_base_url + "/learn"
    assert settings.idp_timeout_s == 5.0 and settings.cookie_domain is None
    assert SECRET not in repr(settings)
    assert load_settings(base_env(COGNITO_DOMAIN="http://127.0.0.1:8402/")).cognito_base_url == "http://127.0.0.1:8402"


def test_create_app_refuses_bad_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in base_env():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_create_app_refuses_invalid_catalog(tmp_path: Path) -> None:
    (tmp_path / "courses").mkdir()
    (tmp_path / "courses" / "Bad Slug.json").write_text('{"slug": "Bad Slug", "title": "x", "modules": []}')
    settings = load_settings(base_env(CONTENT_DIR=str(tmp_path)))
    with pytest.raises(Exception) as info:
        create_app(settings, seams=Seams(store_factory=lambda *_: object()))
    assert type(info.value).__name__ == "CatalogError"


def test_common_headers(client: TestClient, idp: FakeIdp) -> None:
    for response in (client.get("/auth/login"), client.get("/auth/me"), complete_login(client, idp)):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "x-powered-by" not in response.headers
        assert "starlette" not in response.headers.get("server", "").lower()
        assert "no-store" in response.headers["cache-control"]


def test_unexpected_exception_is_json_500(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    def crash(_: str) -> str:
        raise RuntimeError("boom with a secret inside")

    client = make_client(redirect_sanitiser=crash)
    response = client.get("/auth/login")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal error"}
    assert response.headers["x-content-type-options"] == "nosniff"


def test_wrong_method_inside_the_app_is_json(client: TestClient) -> None:
    response = client.post("/auth/me")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"


@pytest.fixture
def log_lines() -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("hhl_backend")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_logs_are_json_lines_without_secrets(client: TestClient, idp: FakeIdp, log_lines: io.StringIO) -> None:
    response = complete_login(client, idp)
    access = response.cookies.get("hhl_access_token") or response.headers["set-cookie"]
    client.get("/auth/me", headers={"cookie": f"hhl_access_token={idp.access_token()}; hhl_refresh_token=r-secret"})
    text = log_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["event"] == "request"]
    assert requests, text
    for line in requests:
        assert {"ts", "level", "event", "route", "status", "duration_ms", "request_id"} <= set(line)
    assert {line["route"] for line in requests} >= {"/auth/login", "/auth/callback", "/auth/me"}
    for secret in (access[:40], "r-secret", "learner@example.test", idp.token_requests[0]["code"]):
        assert secret not in text


def test_formatter_scrubs_sensitive_fields() -> None:
    record = logging.makeLogRecord({"msg": "x", "levelname": "INFO", "token": "abc", "email": "A@B.test"})
    line = json.loads(JsonLineFormatter().format(record))
    assert line["token"] == "[redacted]"
    assert line["email"].startswith("<email:") and "A@B" not in line["email"]
