"""Redaction before anything is written (SPEC §11.1): cookie/authorization values (flags kept), sensitive query
and form values, sensitive JSON fields, JWTs (summarised, and replaced even when cut short), emails (hashed) and
every registered secret (and any fragment of one of 12 characters or more).

Every rule writes its placeholder into a vault and leaves a private-use marker in the text; the markers are
expanded only at the end. So no rule ever rewrites another rule's placeholder (`state=<jwt …>` cannot become
`state=[REDACTED] alg=…>`), and placeholders already in the input are vaulted first: `redact_text` is idempotent.
Text is cut only after it is redacted: `excerpt()` is the one way to shorten text for a message.

>>> redact_text("Set-Cookie: hhl_access_token=abc123; Path=/; HttpOnly")
'Set-Cookie: hhl_access_token=[REDACTED]; Path=/; HttpOnly'
>>> excerpt("token eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhYmMiLCJlbWFpbCI6 and more", 30)
'token <jwt alg=RS256 cut> and …'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from checks.secrets import register_secret, registered_secrets

__all__ = [
    "FRAGMENT_LENGTH",
    "REDACTED",
    "excerpt",
    "hash_email",
    "is_sensitive_field",
    "jwt_fragments",
    "redact_header",
    "redact_headers",
    "redact_json",
    "redact_text",
    "register_tokens",
    "summarize_jwt",
]

REDACTED = "[REDACTED]"
SENSITIVE_PARAMS = frozenset({"code", "state", "nonce", "code_verifier", "token", "password", "_csrf"})
SENSITIVE_HEADERS = frozenset({"cookie", "set-cookie", "authorization"})
# A run of this many characters of a registered secret is a leak, wherever it was cut.
FRAGMENT_LENGTH = 12

_B64 = r"[A-Za-z0-9_-]"
# `eyJ` is base64url for `{"`: every JWT (and every cut-off piece of its start) begins with it. See _is_jwt_piece.
_JWT_ANY = re.compile(r"eyJ" + _B64 + r"*(?:\." + _B64 + r"*){0,2}")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_JWT_WHOLE = re.compile(r"eyJ" + _B64 + r"+\.eyJ" + _B64 + r"*\." + _B64 + r"*")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# name=value in a query string or form body: the value runs to the next & (or whitespace/quote in prose).
_PARAM = re.compile(r"(?P<pre>(?:^|[?&;\s\"'])(?P<name>[A-Za-z_]+)=)(?P<value>[^&\s\"'#;]+)")
# "…token…": "value" / "password": "value" in JSON-ish text.
_JSON_FIELD = re.compile(r"(?P<pre>\"(?P<name>[^\"]*)\"\s*:\s*)\"(?P<value>(?:[^\"\\]|\\.)*)\"")
_HEADER_LINE = re.compile(r"(?im)^(?P<pre>[<>]?\s*(?P<name>cookie|set-cookie|authorization)\s*:\s*)(?P<value>.*)$")
_CURL_HEADER = re.compile(r"(?i)(?P<pre>-H '(?P<name>cookie|authorization): )(?P<value>[^']*)")
# What this module writes: recognised on input so that a second pass leaves it alone.
_PLACEHOLDER = re.compile(r"\[REDACTED\]|<jwt(?: [^<>\n]*)?>|<email:[0-9a-f]{8}>")
_PLACEHOLDER_START = re.compile(r"\[REDACTED|<jwt|<email:")
# Vault markers: two characters from the supplementary private-use planes (no rule's character class admits them).
_HIGH, _LOW, _SPAN = 0xF0000, 0x100000, 0xFFFD
_MARKER = re.compile("[\U000f0000-\U000ffffd][\U00100000-\U0010fffd]")
_MARKER_CHARS = re.compile("[\U000f0000-\U0010ffff]")
_SUMMARY_VALUE = re.compile(r"[^A-Za-z0-9._:/+=-]")


class _Vault:
    def __init__(self) -> None:
        self.values: list[str] = []

    def put(self, placeholder: str) -> str:
        index = len(self.values)
        self.values.append(placeholder)
        return chr(_HIGH + index // _SPAN) + chr(_LOW + index % _SPAN)

    def protect(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.put(m.group(0)), text)

    def reveal(self, text: str) -> str:
        def value(m: re.Match[str]) -> str:
            high, low = m.group(0)[0], m.group(0)[1]  # a marker is two characters
            return self.values[(ord(high) - _HIGH) * _SPAN + ord(low) - _LOW]

        return _MARKER.sub(value, text)


def _b64json(part: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, TypeError):
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _is_jwt_piece(text: str, start: int, piece: str) -> bool:
    """A match of `eyJ…` is a token (or a piece of one) when it starts a word, follows a %XX escape
    (`state%3DeyJ…`), or, glued to a letter or digit, decodes to printable JSON-looking text (`{"alg":…`): an
    identifier such as `surveyJson` is left alone, a token pasted after `x` is not."""
    before = text[start - 1] if start else ""
    if not (before.isascii() and before.isalnum()) or (start >= 3 and _ESCAPE.fullmatch(text, start - 3, start)):
        return True
    head = piece.split(".", 1)[0]
    usable = len(head) // 4 * 4
    if usable < 8:
        return False
    try:
        decoded = base64.urlsafe_b64decode(head[:usable])
    except ValueError:
        return False
    return all(32 <= byte < 127 for byte in decoded)


def _jwt_pieces(text: str) -> Iterator[re.Match[str]]:
    return (m for m in _JWT_ANY.finditer(text) if _is_jwt_piece(text, m.start(), m.group(0)))


def _field(key: str, value: Any) -> str:
    # Claim values come from whoever minted the token: keep them to a safe alphabet and length, so a summary can
    # never carry markup, an email or a newline (and is recognised as a placeholder on a second pass).
    return f"{key}={_SUMMARY_VALUE.sub('?', str(value))[:80]}"


def summarize_jwt(token: str) -> str:
    """`<jwt alg kid iss aud token_use exp>`: enough to judge a token, never enough to replay it. A token cut short
    keeps what its complete header says and is marked `cut`."""
    parts = token.split(".")
    header = _b64json(parts[0]) if len(parts) > 1 else {}
    payload = _b64json(parts[1]) if len(parts) > 2 else {}
    if len(parts) < 3 or not header or not payload:
        known = [_field("alg", header["alg"])] if "alg" in header else []
        return "<jwt " + " ".join([*known, "cut"]) + ">" if known else "<jwt cut>"
    fields = [_field("alg", header.get("alg", "?")), _field("kid", header.get("kid", "-"))]
    fields += [_field(key, payload[key]) for key in ("iss", "aud", "token_use", "exp") if key in payload]
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


def _redact_sensitive_header(lowered: str, value: str) -> str:
    if lowered == "set-cookie":
        return redact_set_cookie(value)
    if lowered == "cookie":
        return redact_cookie_pairs(value)
    scheme, _, credential = value.strip().partition(" ")
    return f"{scheme} {REDACTED}" if credential else REDACTED


def redact_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered in SENSITIVE_HEADERS:
        return redact_text(_redact_sensitive_header(lowered, value))
    return redact_text(value)


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_header(name, value)) for name, value in headers]


@functools.lru_cache(maxsize=4)  # the registry grows one secret at a time: only the latest sets are reused
def _secret_forms(secrets: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Every encoding a secret may travel in (url-, form- or JSON-encoded), longest first, and the set of their
    FRAGMENT_LENGTH-character windows."""
    variants: set[str] = set()
    for secret in secrets:
        variants.update({secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]})
    ordered = tuple(sorted((v for v in variants if v), key=len, reverse=True))
    n = FRAGMENT_LENGTH
    grams = frozenset(v[i : i + n] for v in ordered if len(v) >= n for i in range(len(v) - n + 1))
    return ordered, grams


_CANDIDATE = re.compile(rf"[^\s\U000f0000-\U0010ffff]{{{FRAGMENT_LENGTH},}}")


def _fragment_spans(text: str, grams: frozenset[str]) -> list[tuple[int, int]]:
    """Maximal spans of `text` covered by windows of a secret: a secret cut at either end is still found."""
    n = FRAGMENT_LENGTH
    spans: list[tuple[int, int]] = []
    for run in _CANDIDATE.finditer(text):
        chunk, base = run.group(0), run.start()
        for j in range(len(chunk) - n + 1):
            if chunk[j : j + n] in grams:
                start, end = base + j, base + j + n
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
    return spans


def _redact_secrets(text: str, secrets: Sequence[str], vault: _Vault) -> str:
    forms, grams = _secret_forms(tuple(secrets))
    for form in forms:
        if form in text:
            text = text.replace(form, vault.put(REDACTED))
    if not grams:
        return text
    spans = _fragment_spans(text, grams)
    for start, end in reversed(spans):
        text = text[:start] + vault.put(REDACTED) + text[end:]
    return text


def redact_text(text: str, secrets: Sequence[str] | None = None) -> str:
    """Apply every rule to free text (transcripts, messages, captured output, report files)."""
    if not text:
        return text
    vault = _Vault()
    put = vault.put
    text = vault.protect(_MARKER_CHARS.sub("\ufffd", text))
    text = _JWT_ANY.sub(
        lambda m: put(summarize_jwt(m.group(0))) if _is_jwt_piece(m.string, m.start(), m.group(0)) else m.group(0),
        text,
    )
    text = _HEADER_LINE.sub(
        lambda m: (
            m.group("pre")
            + vault.protect(_redact_sensitive_header(m.group("name").lower(), m.group("value")).replace("\n", ""))
        ),
        text,
    )
    text = _CURL_HEADER.sub(
        lambda m: m.group("pre") + vault.protect(_redact_sensitive_header(m.group("name").lower(), m.group("value"))),
        text,
    )
    text = _PARAM.sub(
        lambda m: m.group("pre") + put(REDACTED) if m.group("name").lower() in SENSITIVE_PARAMS else m.group(0), text
    )
    text = _JSON_FIELD.sub(
        lambda m: m.group("pre") + '"' + put(REDACTED) + '"' if is_sensitive_field(m.group("name")) else m.group(0),
        text,
    )
    text = _redact_secrets(text, registered_secrets() if secrets is None else secrets, vault)
    text = _EMAIL.sub(lambda m: put(hash_email(m.group(0))), text)
    return vault.reveal(text)


def excerpt(text: str, limit: int, secrets: Sequence[str] | None = None) -> str:
    """At most `limit` characters of `text`, redacted *before* it is cut (a cut token escapes every rule), and never
    ending inside a placeholder; `…` marks a cut."""
    redacted = redact_text(text, secrets)
    if len(redacted) <= limit:
        return redacted
    cut = redacted[:limit]
    for m in _PLACEHOLDER_START.finditer(cut):
        whole = _PLACEHOLDER.match(redacted, m.start())
        if whole is not None and whole.end() > limit:
            cut = cut[: m.start()]
            break
    return cut + "…"


def register_tokens(*texts: str | None) -> None:
    """Register every complete JWT in `texts` as a secret: a message that shows only its tail (pytest cuts long
    reprs in the middle: `'eyJhb...Q5sig'`) then still loses every 12-character piece of it."""
    for text in texts:
        if text and "eyJ" in text:
            for match in _JWT_WHOLE.finditer(text):
                register_secret(match.group(0))


def jwt_fragments(text: str, min_length: int = 8) -> list[str]:
    """Every piece of a JWT left in `text` (a complete one, or its start cut short) of at least `min_length`
    characters: for scans (reports.redaction), never for output."""
    return [m.group(0) for m in _jwt_pieces(text) if len(m.group(0)) >= min_length]


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
