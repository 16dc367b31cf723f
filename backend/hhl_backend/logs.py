"""JSON-lines logging on logger `hhl_backend` (SPEC §3.1): ts, level, event, route, status, duration_ms, request_id.

Log lines never contain tokens, codes, cookie values or raw emails: callers pass only safe fields, and the formatter
scrubs the sensitive field names as a second line of defence (emails become a short hash).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

LOGGER_NAME = "hhl_backend"
_SECRET_FIELDS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "authorization",
        "cookie",
        "cookies",
        "set-cookie",
        "code",
        "code_verifier",
        "verifier",
        "state",
        "nonce",
        "secret",
        "password",
    }
)
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

logger = logging.getLogger(LOGGER_NAME)


def hash_email(email: str) -> str:
    """`<email:sha256-8>` (SPEC §11.1), so log lines can be correlated without holding the address."""
    return "<email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:8] + ">"


def _scrub(key: str, value: Any) -> Any:
    lowered = key.lower()
    if lowered in _SECRET_FIELDS:
        return "[redacted]"
    if "email" in lowered and isinstance(value, str):
        return hash_email(value)
    return value


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                line[key] = _scrub(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages can quote request data.
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, default=str, separators=(",", ":"))


def configure_logging(level: str = "INFO") -> None:
    """Attach one JSON-lines stderr handler to `hhl_backend` (idempotent; the sandbox may add its own handlers)."""
    logger.setLevel(level)
    if not any(isinstance(h.formatter, JsonLineFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)
    logger.propagate = False


def log_event(event: str, *, level: int = logging.INFO, exc_info: bool = False, **fields: Any) -> None:
    """One JSON line: `event` plus `fields` (never pass secrets; sensitive names are scrubbed anyway)."""
    logger.log(level, event, exc_info=exc_info, extra=fields)
