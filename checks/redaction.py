"""Redaction before anything is written (SPEC §11.1): cookie/authorization values (flags kept), sensitive query
and form values, sensitive JSON fields, JWTs (summarised), emails (hashed) and every registered secret.

>>> redact_text("Set-Cookie: hhl_access_token=abc123; Path=/; HttpOnly")
'Set-Cookie: hhl_access_token=[REDACTED]; Path=/; HttpOnly'
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from checks.secrets import registered_secrets

REDACTED = "[REDACTED]"
SENSITIVE_PARAMS = frozenset({"code", "state", "nonce", "code_verifier", "token", "password", "_csrf"})
SENSITIVE_HEADERS = frozenset({"cookie", "set-cookie", "authorization"})

_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# name=value in a query string or form body: the value runs to the next & (or whitespace/quote in prose).
_PARAM = re.compile(r"(?P<pre>(?:^|[?&;\s\"'])(?P<name>[A-Za-z_]+)=)(?P<value>[^&\s\"'#;]+)")
# "…token…": "value" / "password": "value" in JSON-ish text.
_JSON_FIELD = re.compile(r"(?P<pre>\"(?P<name>[^\"]*)\"\s*:\s*)\"(?P<value>(?:[^\"\\]|\\.)*)\"")
_HEADER_LINE = re.compile(r"(?im)^(?P<pre>[<>]?\s*(?P<name>cookie|set-cookie|authorization)\s*:\s*)(?P<value>.*)$")
_CURL_HEADER = re.compile(r"(?i)(?P<pre>-H '(?P<name>cookie|authorization): )(?P<value>[^']*)")


def _b64json(part: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, TypeError):
        return {}
    return decoded if isinstance(decoded, dict) else {}


def summarize_jwt(token: str) -> str:
    """`<jwt alg kid iss aud token_use exp>`: enough to judge a token, never enough to replay it."""
    header_part, payload_part, _ = [*token.split("."), "", ""][:3]
    header, payload = _b64json(header_part), _b64json(payload_part)
    fields = [f"alg={header.get('alg', '?')}", f"kid={header.get('kid', '-')}"]
    for key in ("iss", "aud", "token_use", "exp"):
        if key in payload:
            fields.append(f"{key}={payload[key]}")
    return "<jwt " + " ".join(fields) + ">"


def hash_email(email: str) -> str:
    return "<email:" + hashlib.sha256(email.lower().encode()).hexdigest()[:8] + ">"


def is_sensitive_field(name: str) -> bool:
    lowered = name.lower()
    return "token" in lowered or lowered in ("password", "secret", "code_verifier", "client_secret")


def redact_cookie_pairs(value: str) -> str:
    """`Cookie: a=1; b=2` → `a=[REDACTED]; b=[REDACTED]` (an empty value stays empty: clearing stays visible)."""
    pairs = []
    for pair in value.split(";"):
        name, sep, val = pair.partition("=")
        pairs.append(f"{name}={REDACTED if val.strip() else ''}" if sep else pair)
    return ";".join(pairs)


def redact_set_cookie(value: str) -> str:
    """Only the cookie's value goes; its flags (Path, Max-Age, HttpOnly, Secure, SameSite) are evidence."""
    first, sep, flags = value.partition(";")
    name, eq, val = first.partition("=")
    empty = val.strip() in ("", '""')  # a clearing header (`name=""; Max-Age=0`) stays readable as such
    return f"{name}={val if empty else REDACTED}{sep}{flags}" if eq else value


def redact_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "set-cookie":
        return redact_set_cookie(value)
    if lowered == "cookie":
        return redact_cookie_pairs(value)
    if lowered == "authorization":
        scheme, _, credential = value.partition(" ")
        return f"{scheme} {REDACTED}" if credential else REDACTED
    return redact_text(value)


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_header(name, value)) for name, value in headers]


def _secret_variants(secrets: Sequence[str]) -> list[str]:
    # A secret may travel url- or JSON-encoded (a password in a form body, a token in a JSON string).
    variants: set[str] = set()
    for secret in secrets:
        variants.update({secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]})
    return sorted((v for v in variants if v), key=len, reverse=True)


def redact_text(text: str, secrets: Sequence[str] | None = None) -> str:
    """Apply every rule to free text (transcripts, messages, captured output, report files)."""
    if not text:
        return text
    text = _JWT.sub(lambda m: summarize_jwt(m.group(0)), text)
    text = _HEADER_LINE.sub(
        lambda m: m.group("pre") + redact_header(m.group("name"), m.group("value")).replace("\n", ""), text
    )
    text = _CURL_HEADER.sub(lambda m: m.group("pre") + redact_header(m.group("name"), m.group("value")), text)
    text = _PARAM.sub(
        lambda m: m.group("pre") + REDACTED if m.group("name").lower() in SENSITIVE_PARAMS else m.group(0), text
    )
    text = _JSON_FIELD.sub(
        lambda m: m.group("pre") + f'"{REDACTED}"' if is_sensitive_field(m.group("name")) else m.group(0), text
    )
    for secret in _secret_variants(registered_secrets() if secrets is None else secrets):
        text = text.replace(secret, REDACTED)
    return _EMAIL.sub(lambda m: hash_email(m.group(0)), text)


def redact_json(value: Any, secrets: Sequence[str] | None = None) -> Any:
    """Structured redaction: sensitive keys lose their value whatever its type; strings get the text rules."""
    if isinstance(value, dict):
        return {
            k: REDACTED if is_sensitive_field(str(k)) and v not in (None, "") else redact_json(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_json(v, secrets) for v in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value
