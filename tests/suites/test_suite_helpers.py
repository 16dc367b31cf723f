"""The API/security suites' shared assertions can fail: each helper is fed a defective answer and must say so."""

from __future__ import annotations

import httpx
import jwt
import pytest

from checks.errors import CheckFailure
from checks.http import Response, parse_set_cookie
from suites.api import forged
from suites.api.helpers import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    TXN_COOKIE,
    cookie_problems,
    expect_json,
    find_course,
    linked_slugs,
    query_of,
    round_half_up_percent,
    session_cookies_set,
)
from suites.security.test_security_hygiene import rotation_deadline_s
from suites.security.test_security_login import _readable

GOOD_ACCESS = f"{ACCESS_COOKIE}=v; HttpOnly; Max-Age=3600; Path=/; SameSite=strict; Secure"


def _response(status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> Response:
    request = httpx.Request("GET", "http://api.test/auth/callback")
    return Response(httpx.Response(status, content=body, headers=headers or [], request=request), None)


class _Evidence:
    def record(self, **_: object) -> None:
        pass


def test_cookie_policy_accepts_the_contract_and_names_each_defect() -> None:
    assert cookie_problems(parse_set_cookie(GOOD_ACCESS), ACCESS_COOKIE) == []
    lax = parse_set_cookie(GOOD_ACCESS.replace("strict", "Lax"))
    readable = parse_set_cookie(GOOD_ACCESS.replace("HttpOnly; ", ""))
    scoped = parse_set_cookie(GOOD_ACCESS + "; Domain=.example.com")
    assert any("SameSite" in p for p in cookie_problems(lax, ACCESS_COOKIE))
    assert any("httponly" in p for p in cookie_problems(readable, ACCESS_COOKIE))
    assert any("host-only" in p for p in cookie_problems(scoped, ACCESS_COOKIE))
    assert cookie_problems(None, TXN_COOKIE) == [f"{TXN_COOKIE}: no Set-Cookie"]


def test_clearing_needs_an_empty_value_and_max_age_zero() -> None:
    cleared = parse_set_cookie(f'{REFRESH_COOKIE}=""; HttpOnly; Max-Age=0; Path=/auth; SameSite=strict; Secure')
    kept = parse_set_cookie(f"{REFRESH_COOKIE}=x; HttpOnly; Max-Age=60; Path=/auth; SameSite=strict; Secure")
    wrong_path = parse_set_cookie(f"{REFRESH_COOKIE}=; HttpOnly; Max-Age=0; Path=/; SameSite=strict; Secure")
    assert cookie_problems(cleared, REFRESH_COOKIE, clearing=True) == []
    assert cookie_problems(kept, REFRESH_COOKIE, clearing=True)
    assert cookie_problems(wrong_path, REFRESH_COOKIE, clearing=True)


def test_session_cookies_set_ignores_clearing_headers() -> None:
    headers = [("set-cookie", GOOD_ACCESS), ("set-cookie", f"{REFRESH_COOKIE}=; Max-Age=0; Path=/auth")]
    assert session_cookies_set(_response(302, b"", headers)) == [ACCESS_COOKIE]


def test_expect_json_is_exact() -> None:
    expect_json(_Evidence(), _response(404, b'{"message":"Not Found"}'), 404, {"message": "Not Found"})  # type: ignore[arg-type]
    with pytest.raises(CheckFailure):
        expect_json(_Evidence(), _response(404, b"<html>Not Found</html>"), 404, {"message": "Not Found"})  # type: ignore[arg-type]
    with pytest.raises(CheckFailure):
        expect_json(_Evidence(), _response(200, b'{"message":"Not Found"}'), 404, {"message": "Not Found"})  # type: ignore[arg-type]


def test_state_readability() -> None:
    verifier_jwt = jwt.encode({"code_verifier": "v" * 43}, "k" * 32, algorithm="HS256")
    assert "state is a JWT" in _readable(verifier_jwt)
    assert _readable("dGhpcyBpcyAzMiByYW5kb20gYnl0ZXMgb2YgZGF0YQ") == []


def test_query_of_refuses_repeats_and_linked_slugs_keep_order() -> None:
    with pytest.raises(CheckFailure):
        query_of("http://x/?state=a&state=b")
    page = '<a href="/learn/modules/b-2">B</a><a href="/learn/modules/a-1?x=1">A</a><a href="/learn/modules/b-2">B</a>'
    assert linked_slugs(page, "modules") == ["b-2", "a-1"]


def test_progress_readers() -> None:
    tree = {"courses": {"solo": {"x": 1}}, "path": {"courses": {"nested": {"y": 2}}}}
    assert find_course(tree, "solo") == {"x": 1} and find_course(tree, "nested") == {"y": 2}
    assert find_course(tree, "missing") is None
    assert [round_half_up_percent(d, t) for d, t in ((1, 4), (1, 8), (3, 8), (2, 3))] == [25, 13, 38, 67]


def test_forged_tokens_are_each_wrong_in_one_way() -> None:
    claims = {"sub": "s", "iss": "i", "token_use": "access", "client_id": "c", "exp": 2_000_000_000}
    assert jwt.get_unverified_header(forged.alg_none(claims))["alg"] == "none"
    assert jwt.get_unverified_header(forged.hs256(claims, "kid-1")) == {"alg": "HS256", "kid": "kid-1", "typ": "JWT"}
    assert forged.kid_of(forged.rs256_throwaway(claims)).startswith("hhl-harness-unknown-")
    assert forged.expired(claims)["exp"] < forged.expired(claims)["iat"] + 7200
    assert forged.wrong_issuer(claims)["iss"] != claims["iss"]


@pytest.mark.parametrize(
    ("served_s_ago", "deadline_s"),
    [(None, 65.0), ("soon", 65.0), (True, 65.0), (0.0, 65.0), (20.0, 45.0), (59.0, 6.0), (600.0, 5.0), (-1.0, 65.0)],
)
def test_the_rotation_wait_ends_when_a_correct_backends_refetch_limit_frees(
    served_s_ago: object, deadline_s: float
) -> None:
    assert rotation_deadline_s(served_s_ago) == deadline_s
