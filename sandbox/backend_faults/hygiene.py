"""Defective replacements for three hygiene seams of the backend, each a weakness of the real deployment (SPEC §10
"Known real weaknesses"): a JWKS cache that never refetches on an unknown `kid` (every login fails after a key
rotation until the hour is up), log lines carrying the authorize URL (its `state`) and the learner's email, and
`/auth/login|callback|logout` answered without `Cache-Control: no-store`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from hhl_backend.auth.tokens import JwksCache
from hhl_backend.config import Settings

# The routes the real deployment answered without any Cache-Control (`/auth/me` had `no-store`).
UNCACHED_AUTH_ROUTES = frozenset({"/auth/login", "/auth/callback", "/auth/logout"})


class NoRefetchJwksCache(JwksCache):
    """backend.jwks_no_refetch: the key set is fetched once an hour and an unknown `kid` is simply refused, so a
    token signed with a rotated key stays invalid until the cache expires."""

    def _may_refetch_for(self, kid: str, now: float) -> bool:
        return False


def no_refetch_jwks_cache(settings: Settings, http: httpx.Client) -> JwksCache:
    return NoRefetchJwksCache(settings.cognito_jwks_url, http, timeout_s=settings.idp_timeout_s)


def verbose_auth_log_fields(event: str, context: dict[str, Any]) -> dict[str, Any]:
    """backend.logs_secrets: `login_started` logs the whole authorize URL (its `state`, which in the real deployment
    carries the PKCE verifier) and `login_succeeded` the learner's email, under field names no scrubber knows."""
    if "authorize_url" in context:
        return {"authorize_url": context["authorize_url"]}
    email = (context.get("claims") or {}).get("email")
    return {"user": email} if email else {}


def without_no_store_on_auth(base: Callable[[str, str | None], str | None]) -> Callable[[str, str | None], str | None]:
    """backend.auth_no_store_missing: login, callback and logout answer with no Cache-Control at all."""

    def cache_control(path: str, chosen: str | None) -> str | None:
        return None if path in UNCACHED_AUTH_ROUTES else base(path, chosen)

    return cache_control
