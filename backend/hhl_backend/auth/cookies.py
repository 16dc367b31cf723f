"""The three cookies of SPEC §3.3 (D4): names, attributes, setting and clearing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.responses import Response

ACCESS_COOKIE = "hhl_access_token"
REFRESH_COOKIE = "hhl_refresh_token"
TXN_COOKIE = "hhl_auth_txn"


@dataclass(frozen=True)
class CookieSpec:
    name: str
    max_age: int
    path: str
    http_only: bool = True
    secure: bool = True
    same_site: Literal["strict", "lax", "none"] = "strict"


_STANDARD = {
    ACCESS_COOKIE: CookieSpec(ACCESS_COOKIE, max_age=3600, path="/"),
    REFRESH_COOKIE: CookieSpec(REFRESH_COOKIE, max_age=2_592_000, path="/auth"),
    # Lax: the callback is a cross-site top-level navigation from the hosted UI, Strict would drop the cookie.
    TXN_COOKIE: CookieSpec(TXN_COOKIE, max_age=600, path="/auth", same_site="lax"),
}


def standard_cookie_policy(name: str) -> CookieSpec:
    """The attributes SPEC §3.3 prescribes for `name`."""
    return _STANDARD[name]


def set_cookie(response: Response, spec: CookieSpec, value: str, domain: str | None) -> None:
    response.set_cookie(
        spec.name,
        value,
        max_age=spec.max_age,
        path=spec.path,
        domain=domain,
        secure=spec.secure,
        httponly=spec.http_only,
        samesite=spec.same_site,
    )


def clear_cookie(response: Response, spec: CookieSpec, domain: str | None) -> None:
    """Clearing = same name, empty value, Max-Age=0, same Path/Domain/flags (SPEC §3.3)."""
    response.set_cookie(
        spec.name,
        "",
        max_age=0,
        path=spec.path,
        domain=domain,
        secure=spec.secure,
        httponly=spec.http_only,
        samesite=spec.same_site,
    )
