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
from starlette.routing import Route

from hhl_backend.auth.cookies import CookieSpec, standard_cookie_policy
from hhl_backend.auth.idp import IdpClient, IdpUnavailable
from hhl_backend.auth.redirects import sanitise_redirect
from hhl_backend.auth.session import TokenSet, resolve_identity
from hhl_backend.auth.tokens import JwksCache, JwksUnavailable
from hhl_backend.auth.transaction import LoginTransaction, SealedCookieCodec, TransactionCodec
from hhl_backend.errors import NO_STORE
from hhl_backend.identity import Identity
from hhl_backend.routes.validation import MAX_BODY_BYTES

JSON_CONTENT_TYPE = "application/json"

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


def grade_and_record_quiz(request: Request, quiz: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """Grade from the catalog and persist a signed-in learner's attempt (SPEC §3.12); the response body."""
    from hhl_backend.routes.quiz import grade_and_record  # lazy: the data half's routes import the store

    return grade_and_record(request, quiz, answers)


def parse_track_event(body: dict[str, Any]) -> Any:
    """The validated `/events/track` event (SPEC §3.10), or `Invalid` (a 400) for any malformed body."""
    from hhl_backend.routes.events import parse_event  # lazy: the data half's routes import the store

    return parse_event(body)


def callback_failure_status(exc: Exception) -> tuple[int, str]:
    """SPEC §3.4 steps 6.5–6.6: the IdP's fault (outage, JWKS unreachable) → 502; the request's (IdP 4xx, a token
    that fails validation) → 400."""
    if isinstance(exc, IdpUnavailable | JwksUnavailable):
        return 502, "Identity provider unavailable"
    return 400, "Authentication failed"


def hosted_ui_client(settings: Settings, http: httpx.Client, cls: type[IdpClient] = IdpClient) -> IdpClient:
    """The client for the hosted UI's token (code, refresh) and revoke endpoints (`cls`: a subclass, e.g. a fault's)."""
    return cls(
        base_url=settings.cognito_base_url,
        client_id=settings.cognito_client_id,
        redirect_uri=settings.cognito_redirect_uri,
        timeout_s=settings.idp_timeout_s,
        http=http,
    )


def transaction_nonce(txn: LoginTransaction) -> str | None:
    """The login transaction's own random nonce: sent on the authorize request and required in the ID token."""
    return txn.nonce


def cognito_jwks_cache(settings: Settings, http: httpx.Client) -> JwksCache:
    """The per-process JWKS cache (SPEC §3.5): 3600 s, and an immediate refetch on an unknown `kid`."""
    return JwksCache(settings.cognito_jwks_url, http, timeout_s=settings.idp_timeout_s)


def no_auth_log_fields(event: str, context: dict[str, Any]) -> dict[str, Any]:
    """What the login routes add to their `login_started`/`login_succeeded` lines: nothing from `context` (the
    authorize URL carries `state`, the claims carry the email: SPEC §3.1 logs never hold either)."""
    return {}


def no_store_by_default(path: str, chosen: str | None) -> str | None:
    """A response's Cache-Control (None = no header): the route's own choice, else `no-store` (SPEC §3.1)."""
    return chosen or NO_STORE


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
    # POST /quiz/grade once validated and the quiz found: (request, quiz, answers) → the response body.
    quiz_grading: Callable[[Request, Any, dict[str, Any]], dict[str, Any]] = grade_and_record_quiz
    # POST /events/track: the JSON object body → the validated event, or Invalid (400) for any bad input (§3.9).
    track_event_parser: Callable[[dict[str, Any]], Any] = parse_track_event
    # The callback's answer when the code exchange or token validation fails: exception → (status, error message).
    callback_failure: Callable[[Exception], tuple[int, str]] = callback_failure_status
    # Largest /events/track and /quiz/grade body accepted, in raw bytes (SPEC §3.9); None = no cap at all.
    payload_cap_bytes: int | None = MAX_BODY_BYTES
    # (settings, shared httpx client) → the client for the hosted UI's token and revoke endpoints.
    idp_client_factory: Callable[[Settings, httpx.Client], IdpClient] = hosted_ui_client
    # The Content-Type the Lambda labels its JSON bodies with (SPEC §3.1).
    json_content_type: str = JSON_CONTENT_TYPE
    # The OIDC nonce of a login: sent to /oauth2/authorize and required in the ID token; None = neither.
    oidc_nonce: Callable[[LoginTransaction], str | None] = transaction_nonce
    # Routes beyond SPEC §3.1's (none by default): each is also registered as a gateway route key.
    extra_routes: tuple[Route, ...] = ()
    # Whether every response carries `X-Content-Type-Options: nosniff` (SPEC §3.1).
    nosniff: bool = True
    # (settings, shared httpx client) → the JWKS cache that verifies every token.
    jwks_cache_factory: Callable[[Settings, httpx.Client], JwksCache] = cognito_jwks_cache
    # (event, context) → extra fields of the login routes' log lines; context: authorize_url | claims.
    auth_log_fields: Callable[[str, dict[str, Any]], dict[str, Any]] = no_auth_log_fields
    # (path, the route's Cache-Control or None) → the Cache-Control sent, None = none (ResponseHardening).
    cache_control: Callable[[str, str | None], str | None] = no_store_by_default
