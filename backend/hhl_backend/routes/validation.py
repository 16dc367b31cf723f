"""Request validation shared by the data routes (SPEC §3.9): the 10,000-byte cap, JSON parsing, field checks,
the error envelope and one `validation_failure` log line per rejected request.

Validators collect `"<path>: <message>"` strings; they never quote the offending value, so details are safe
to return and to log.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hhl_backend.content import SLUG_RE, is_slug
from hhl_backend.errors import error_response
from hhl_backend.logs import hash_email, log_event

MAX_BODY_BYTES = 10_000
MAX_EMAIL_LENGTH = 255
MAX_CONTACT_ID_LENGTH = 50
TOO_LARGE = "Request payload exceeds maximum size of 10KB"
EXCERPT_CHARS = 200

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EMAIL_ANYWHERE = re.compile(r"[^@\s\"'<>,;:{}\[\]]+@[^@\s\"'<>,;:{}\[\]]+\.[A-Za-z]{2,}")
_JWT_ANYWHERE = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SECRET_FIELD = re.compile(r'("[^"]*(?:token|password|secret|code_verifier)[^"]*"\s*:\s*)"[^"]*"', re.IGNORECASE)


class Invalid(Exception):
    """A request that fails §3.9 validation; `response()` renders the envelope and logs the failure."""

    def __init__(self, status: int, message: str, code: str, details: list[str], **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.details = details
        self.extra = extra

    def response(self, request: Request) -> Response:
        raw = getattr(request.state, "raw_body", b"")
        log_validation_failure(request, self.code, self.details, raw)
        return error_response(
            self.message, self.status, code=self.code, details=self.details, extra=self.extra or None, no_store=True
        )


def schema_error(message: str, details: list[str]) -> Invalid:
    return Invalid(400, message, "SCHEMA_VALIDATION_FAILED", details)


def redact_excerpt(raw: bytes) -> str:
    """The first 200 characters of a payload with emails hashed, JWTs and secret-named JSON fields removed.

    Redaction runs before truncation, so a secret cut in half at the boundary can never slip through.
    """
    # Bounded work on oversized bodies; the margin keeps shrinking redactions from exposing a cut secret.
    text = raw[: EXCERPT_CHARS * 20].decode("utf-8", errors="replace")
    text = _JWT_ANYWHERE.sub("<jwt>", text)
    text = _SECRET_FIELD.sub(r'\1"[redacted]"', text)
    text = _EMAIL_ANYWHERE.sub(lambda m: hash_email(m.group(0)), text)
    return text[:EXCERPT_CHARS]


def log_validation_failure(request: Request, code: str, details: list[str], raw: bytes) -> None:
    log_event(
        "validation_failure",
        level=logging.WARNING,
        route=request.url.path,
        endpoint=request.url.path,
        error_code=code,
        details=details,
        payload_excerpt=redact_excerpt(raw),
    )


async def read_json_object(request: Request, schema_message: str) -> dict[str, Any]:
    """The body as a JSON object: capped (`seams.payload_cap_bytes`, 10,000) before parsing; empty = `{}` (SPEC §3.9).

    The raw body stays on `request.state` so that any later Invalid logs its excerpt.
    """
    raw = await request.body()
    request.state.raw_body = raw
    cap = request.app.state.seams.payload_cap_bytes
    if cap is not None and len(raw) > cap:
        # Checked on the bytes received, before any parsing (the Lambda handler has already base64-decoded).
        raise Invalid(400, TOO_LARGE, "PAYLOAD_TOO_LARGE", [f"root: {len(raw)} bytes exceeds {cap}"])
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else "body is not UTF-8"
        raise Invalid(400, "Request body is not valid JSON", "INVALID_JSON", [message]) from None
    if not isinstance(body, dict):
        raise schema_error(schema_message, ["root: must be an object"])
    return body


class Checker:
    """Accumulates `<path>: <message>` findings for one payload."""

    def __init__(self) -> None:
        self.details: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.details.append(f"{path}: {message}")

    def slug(self, value: Any, path: str, *, required: bool = False) -> str | None:
        """A slug, or None when absent; a bad value (or a missing required one) is recorded as a finding."""
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        if not is_slug(value):
            self.fail(path, f"must match {SLUG_RE.pattern}")
            return None
        return value

    def text(
        self, value: Any, path: str, *, max_length: int, min_length: int = 0, required: bool = False
    ) -> str | None:
        if value is None:
            if required:
                self.fail(path, "required")
            return None
        if not isinstance(value, str) or not min_length <= len(value) <= max_length:
            self.fail(path, f"must be a string of {min_length}-{max_length} characters")
            return None
        return value

    def email(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or len(value) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(value):
            self.fail(path, f"must be a valid email of at most {MAX_EMAIL_LENGTH} characters")

    def contact_id(self, value: Any, path: str) -> None:
        valid = isinstance(value, str | int) and not isinstance(value, bool)
        if not valid or not 1 <= len(str(value)) <= MAX_CONTACT_ID_LENGTH:
            self.fail(path, f"must be a string of 1-{MAX_CONTACT_ID_LENGTH} characters")

    def contact_identifier(self, value: Any, path: str = "contactIdentifier") -> None:
        """Shape only (SPEC §3.8): it is never used for identity."""
        if value is None:
            return
        if not isinstance(value, dict) or not ({"email", "contactId"} & value.keys()):
            self.fail(path, "must be an object with email and/or contactId")
            return
        if "email" in value:
            self.email(value["email"], f"{path}.email")
        if "contactId" in value:
            self.contact_id(value["contactId"], f"{path}.contactId")


def check_identity_query(query: Mapping[str, str], checker: Checker) -> None:
    """`?email=`/`?contactId=` are shape-checked for compatibility and otherwise ignored; empty = absent."""
    if query.get("email"):
        checker.email(query["email"], "email")
    if query.get("contactId"):
        checker.contact_id(query["contactId"], "contactId")
