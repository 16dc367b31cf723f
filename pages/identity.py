"""The page's identity as the auth script publishes it (SPEC §8): `window.hhIdentity` (awaiting `ready`, bounded)
and the `#hhl-auth-context` data attributes. Works the same on the real site and the sandbox: no sandbox-only hook."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

__all__ = ["HH_IDENTITY_API", "AuthEndpoints", "IdentitySnapshot", "auth_endpoints", "read_identity"]

HH_IDENTITY_API = ("ready", "get", "isAuthenticated", "isReady", "login", "logout")
# The script is loaded `defer`/async: after the load event it has normally run; this bounds a slow CDN.
SCRIPT_APPEAR_TIMEOUT_MS = 5_000
# Once the network has gone quiet (Playwright's `networkidle`: 500 ms without a request) a script still to come
# can only be one a timer injects: a page without the script is told in ~1.5 s instead of the CDN bound.
SCRIPT_SETTLE_MS = 1_000
_SCRIPT_DEFINED = "() => window.hhIdentity !== undefined"

_READ_IDENTITY = """
async ([members, ms]) => {
  const ctx = document.getElementById('hhl-auth-context');
  const context = () => {
    if (!ctx) { return null; }
    const out = {};
    for (const a of ctx.attributes) { if (a.name.startsWith('data-')) { out[a.name] = a.value; } }
    return out;
  };
  const api = window.hhIdentity;
  if (!api) { return {status: 'missing', missing: members, identity: null, authenticated: null, context: context()}; }
  const missing = members.filter((m) => m === 'ready'
    ? !(api.ready && typeof api.ready.then === 'function') : typeof api[m] !== 'function');
  const authenticated = () => (typeof api.isAuthenticated === 'function' ? Boolean(api.isAuthenticated()) : null);
  if (missing.includes('ready')) {
    return {status: 'incomplete', missing, identity: null, authenticated: authenticated(), context: context()};
  }
  const timeout = new Promise((resolve) => setTimeout(() => resolve('__hhl_timeout__'), ms));
  const value = await Promise.race([api.ready, timeout]);
  if (value === '__hhl_timeout__') {
    return {status: 'timeout', missing, identity: null, authenticated: null, context: context()};
  }
  return {status: missing.length ? 'incomplete' : 'ready', missing, identity: value,
          authenticated: authenticated(), context: context()};
}
"""


@dataclass(frozen=True)
class IdentitySnapshot:
    """What the page says about the visitor once `hhIdentity.ready` settled (or why it did not)."""

    status: str  # ready | missing (no hhIdentity) | incomplete (API members missing) | timeout (ready never settled)
    missing: tuple[str, ...] = ()
    identity: dict[str, Any] | None = None
    authenticated: bool | None = None  # hhIdentity.isAuthenticated()
    context: dict[str, str] | None = field(default=None)  # #hhl-auth-context data-* attributes (None: no element)

    @property
    def is_signed_in(self) -> bool:
        identity = self.identity or {}
        return self.status == "ready" and self.authenticated is True and bool(identity.get("authenticated"))

    @property
    def is_anonymous(self) -> bool:
        return self.status == "ready" and self.authenticated is False

    @property
    def email(self) -> str:
        return str((self.identity or {}).get("email") or "")

    def describe(self) -> str:
        """One line for failure messages (no identity values beyond the state)."""
        if self.status == "missing":
            return "no window.hhIdentity (cognito-auth-integration.js not running)"
        if self.status == "timeout":
            return "hhIdentity.ready never settled"
        if self.missing:
            return f"an incomplete hhIdentity (missing {', '.join(self.missing)})"
        authenticated = (self.context or {}).get("data-authenticated")
        state = "signed in" if self.is_signed_in else "anonymous"
        return f"hhIdentity {state} (data-authenticated={authenticated!r})"

    def summary(self) -> dict[str, Any]:
        """For evidence: the state and the context attributes (the Evidence redaction hashes emails)."""
        return {
            "status": self.status,
            "missing": list(self.missing),
            "authenticated": self.authenticated,
            "identity": self.identity,
            "context": self.context,
        }


def _wait_for_script(page: Page) -> None:
    """Bounded wait for `window.hhIdentity` to be defined; a page where it never is reads as status `missing`."""
    if page.evaluate(_SCRIPT_DEFINED):
        return
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=SCRIPT_APPEAR_TIMEOUT_MS)
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(_SCRIPT_DEFINED, timeout=SCRIPT_SETTLE_MS)


def read_identity(page: Page, *, timeout_ms: float) -> IdentitySnapshot:
    """Wait (bounded) for `window.hhIdentity`, then for `hhIdentity.ready`; never raises for a broken page."""
    _wait_for_script(page)
    raw = page.evaluate(_READ_IDENTITY, [list(HH_IDENTITY_API), timeout_ms])
    return IdentitySnapshot(
        status=raw["status"],
        missing=tuple(raw["missing"]),
        identity=raw["identity"] if isinstance(raw["identity"], dict) else None,
        authenticated=raw["authenticated"],
        context=raw["context"],
    )


@dataclass(frozen=True)
class AuthEndpoints:
    """The endpoints a page is wired to: `data-auth-*-url`, or (real site) the JSON behind `data-constants-url`."""

    me_url: str
    login_url: str
    logout_url: str


_READ_ENDPOINTS = """
async () => {
  const el = document.getElementById('hhl-auth-context');
  if (!el) { return null; }
  const d = el.dataset;
  if (d.authLoginUrl || !d.constantsUrl) {
    return {me: d.authMeUrl || '', login: d.authLoginUrl || '', logout: d.authLogoutUrl || ''};
  }
  try {
    const c = await (await fetch(d.constantsUrl)).json();
    return {me: c.AUTH_ME_URL || '', login: c.AUTH_LOGIN_URL || '', logout: c.AUTH_LOGOUT_URL || ''};
  } catch (e) {
    return {me: '', login: '', logout: ''};
  }
}
"""


def auth_endpoints(page: Page) -> AuthEndpoints | None:
    """None when the page has no `#hhl-auth-context` at all."""
    raw = page.evaluate(_READ_ENDPOINTS)
    return AuthEndpoints(raw["me"], raw["login"], raw["logout"]) if raw else None
