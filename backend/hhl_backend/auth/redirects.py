"""The post-login redirect sanitiser (SPEC §3.4 step 2): only same-site relative paths survive, else `/learn`."""

from __future__ import annotations

import re

DEFAULT_REDIRECT = "/learn"
MAX_REDIRECT_LENGTH = 500

# Any URI scheme prefix (`javascript:`, `data:`, `https:`...), per RFC 3986's scheme grammar.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Control characters (< 0x20 and DEL) enable header splitting and browser-specific URL parsing quirks.
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f\\]")


def sanitise_redirect(raw: str | None) -> str:
    """Return a safe site-relative path for `raw`; never raises (a bad value is replaced, not a 400)."""
    if not raw or len(raw) > MAX_REDIRECT_LENGTH:
        return DEFAULT_REDIRECT
    # Backslashes count because browsers treat `/\evil.com` as the protocol-relative `//evil.com`.
    if _CONTROL_OR_BACKSLASH.search(raw) or raw.startswith("//") or "://" in raw or _SCHEME.match(raw):
        return DEFAULT_REDIRECT
    return raw if raw.startswith("/") else "/" + raw
