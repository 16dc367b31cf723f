"""The faults added for the composite `profile:real-2026-01` (issue 9) exhibit the real deployment's defects, and
the healthy seams do not: data routes that never read the session, the legacy email-only login, the backslash-blind
sanitiser, no `nosniff`; plus the composite's expansion."""

from __future__ import annotations

import jwt
import pytest
from hhl_backend.auth.redirects import sanitise_redirect
from hhl_backend.gateway import GatewayConfig, wrap_with_gateway
from hhl_backend.seams import Seams
from starlette.requests import Request

from sandbox.backend_faults import real_deployment, seams_for_faults
from sandbox.faults import FAULTS, PROFILES, expand_faults, unknown_faults
from tests.backend.auth_fakes import FakeIdp, complete_login, cookie_value, set_cookie_headers

EMAIL = "learner@example.com"


def _request(app, headers: dict[str, str]) -> Request:  # type: ignore[no-untyped-def]
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/progress/read", "headers": raw, "app": app})


def test_data_routes_ignore_the_session(make_client, idp: FakeIdp) -> None:  # type: ignore[no-untyped-def]
    healthy, faulty = Seams(), seams_for_faults(frozenset({"backend.data_ignores_session"}))
    client = make_client(seams=faulty)
    access = cookie_value(set_cookie_headers(complete_login(client, idp))["hhl_access_token"])
    app = client.app
    as_cookie = _request(app, {"cookie": f"hhl_access_token={access}"})
    as_bearer = _request(app, {"authorization": f"Bearer {access}"})
    assert healthy.identity_resolver(as_cookie) is not None  # the reference reads the session
    assert faulty.identity_resolver(as_cookie) is None
    assert faulty.identity_resolver(as_bearer) is None  # a Cognito Bearer is not the legacy token either
    legacy = jwt.encode({"sub": "sub-1", "email": EMAIL}, real_deployment._legacy_key(app.state.settings), "HS256")
    identity = faulty.identity_resolver(_request(app, {"authorization": f"Bearer {legacy}"}))
    assert identity is not None and identity.sub == "sub-1"


def test_email_only_login_issues_a_day_long_token(make_client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from sandbox.backend_faults import data

    monkeypatch.setattr(data, "find_sub_by_email", lambda store, email: "sub-1" if email == EMAIL else None)
    healthy = make_client()
    assert healthy.post("/auth/login", json={"email": EMAIL}).status_code == 405  # the gateway answers 404 before
    client = make_client(seams=seams_for_faults(frozenset({"backend.email_only_login"})))
    response = client.post("/auth/login", json={"email": EMAIL})
    assert response.status_code == 200
    claims = jwt.decode(
        response.json()["token"], real_deployment._legacy_key(client.app.state.settings), algorithms=["HS256"]
    )
    assert claims["sub"] == "sub-1" and claims["exp"] - claims["iat"] == 24 * 3600
    assert client.post("/auth/login", json={"email": "nobody@example.com"}).status_code == 404


def test_email_only_login_is_a_gateway_route() -> None:
    config = GatewayConfig(route_keys=frozenset({("GET", "/auth/login")}), cors_allow_origins=frozenset())
    seams = seams_for_faults(frozenset({"backend.email_only_login"}))
    assert ("POST", "/auth/login") in wrap_with_gateway(lambda *a: None, config, seams=seams).config.route_keys
    assert ("POST", "/auth/login") not in wrap_with_gateway(lambda *a: None, config).config.route_keys


@pytest.mark.parametrize(
    ("raw", "reference", "real"),
    [
        ("/\\evil.com", "/learn", "/\\evil.com"),  # browsers read it as //evil.com
        ("//evil.com", "/learn", "/learn"),
        ("https://evil.com/x", "/learn", "/learn"),
        ("javascript:alert(1)", "/learn", "/learn"),
        ("/learn\r\nSet-Cookie: x=1", "/learn", "/learn"),
        ("learn/courses/x", "/learn/courses/x", "/learn/courses/x"),
    ],
)
def test_backslash_blind_sanitiser(raw: str, reference: str, real: str) -> None:
    assert sanitise_redirect(raw) == reference
    assert real_deployment.backslash_blind_sanitiser(raw) == real


@pytest.mark.parametrize(("faults", "nosniff"), [((), "nosniff"), (("backend.no_nosniff",), None)])
def test_no_nosniff(make_client, faults: tuple[str, ...], nosniff: str | None) -> None:  # type: ignore[no-untyped-def]
    response = make_client(seams=seams_for_faults(frozenset(faults))).get("/auth/me")
    assert response.headers.get("x-content-type-options") == nosniff


def test_the_real_profile_expands_to_known_faults() -> None:
    members = PROFILES["profile:real-2026-01"]
    assert unknown_faults(["profile:real-2026-01"]) == [] and unknown_faults(["profile:nope"]) == ["profile:nope"]
    assert expand_faults(["profile:real-2026-01", "site.api_proxy_off"]) == {*members, "site.api_proxy_off"}
    assert all(name in FAULTS and not FAULTS[name].second_wave for name in members)
    # Only the real deployment's weaknesses: none of the faults it does not have (SPEC §2, §3 real notes).
    assert not {"backend.test_bypass", "backend.open_redirect", "backend.no_payload_cap"} & set(members)
    seams_for_faults(expand_faults(["profile:real-2026-01"]))  # every backend member plants
