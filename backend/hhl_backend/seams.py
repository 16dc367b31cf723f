"""Replaceable behaviours of the backend (docs/INTERFACES.md). Defaults are the correct implementations.

The sandbox plants realistic `backend.*`/`gateway.*` defects by passing defective replacements here
(sandbox/backend_faults), never by `if fault:` branches inside the backend. Defaults that depend on modules
written in parallel (the store) are imported lazily so that this module always imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request

from hhl_backend.auth.cookies import CookieSpec, standard_cookie_policy
from hhl_backend.auth.redirects import sanitise_redirect
from hhl_backend.auth.session import TokenSet, resolve_identity
from hhl_backend.auth.transaction import SealedCookieCodec, TransactionCodec
from hhl_backend.identity import Identity

if TYPE_CHECKING:
    from hhl_backend.config import Settings


def default_store_factory(settings: Settings, catalog: Any) -> Any:
    from hhl_backend.store import Store  # lazy: written by the data half

    return Store.from_settings(settings, catalog)


def sealed_cookie_codec(settings: Settings) -> TransactionCodec:
    return SealedCookieCodec(settings.auth_cookie_secret)


def site_callback_location(settings: Settings, redirect: str) -> str:
    """Always absolute on the site (SPEC §3.4 step 6.8): a relative one resolves on the API host."""
    return settings.site_base_url + redirect


def origin_in_allow_list(allowed: frozenset[str], origin: str) -> bool:
    return origin in allowed


@dataclass(frozen=True)
class Seams:
    # Who is calling: the validated access token (cookie, else Bearer); invalid or absent = None (anonymous).
    identity_resolver: Callable[[Request], Identity | None] = resolve_identity
    # Builds the DynamoDB store from settings and the validated catalog.
    store_factory: Callable[[Settings, Any], Any] = default_store_factory
    # /auth/login's redirect_url → a safe site-relative path.
    redirect_sanitiser: Callable[[str | None], str] = sanitise_redirect
    # How the login transaction travels from /auth/login to /auth/callback.
    transaction_codec: Callable[[Settings], TransactionCodec] = sealed_cookie_codec
    # Cookie name → attributes.
    cookie_policy: Callable[[str], CookieSpec] = standard_cookie_policy
    # (settings, sanitised redirect) → the callback's Location header.
    callback_location: Callable[[Settings, str], str] = site_callback_location
    # A test bypass for `code`: returns tokens without the IdP, or None. None (the default) = no bypass at all.
    test_bypass: Callable[[str], TokenSet | None] | None = None
    # Gateway CORS: is this Origin allowed? (allow-list, origin) → bool.
    cors_origin_allowed: Callable[[frozenset[str], str], bool] = origin_in_allow_list
    # Transport for every outbound IdP/JWKS call; None = the network. Tests pass an httpx.MockTransport.
    http_transport: httpx.BaseTransport | None = None
