"""Settings of the CRM sync consumer from environment variables (crm-interfaces.md); names in errors, never values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hhl_backend.config import LOG_LEVELS, TABLE_KEYS, ConfigError
from hhl_backend.store.keys import TableNames

DEFAULT_HUBSPOT_BASE_URL = "https://api.hubapi.com"
REQUIRED = ("APP_STAGE", *(f"DYNAMODB_{t}_TABLE" for t in TABLE_KEYS))

__all__ = ["DEFAULT_HUBSPOT_BASE_URL", "ConfigError", "CrmSettings", "load_crm_settings"]


@dataclass(frozen=True)
class CrmSettings:
    app_stage: str
    users_table: str
    enrollments_table: str
    progress_table: str
    badges_table: str
    hubspot_base_url: str = DEFAULT_HUBSPOT_BASE_URL
    # Name of the SSM SecureString holding the private-app token; None = the caller passes the token itself.
    token_parameter: str | None = None
    aws_endpoint_url: str | None = None
    content_dir: Path | None = None
    log_level: str = "INFO"

    @property
    def tables(self) -> TableNames:
        return TableNames(self.users_table, self.enrollments_table, self.progress_table, self.badges_table)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def load_crm_settings(environ: Mapping[str, str] = os.environ) -> CrmSettings:
    """Read and validate the consumer's variables; raise one ConfigError naming every problem."""
    env = {k: v.strip() for k, v in environ.items() if isinstance(v, str)}
    missing = [name for name in REQUIRED if not env.get(name)]
    malformed = [
        name for name in ("HUBSPOT_BASE_URL", "AWS_ENDPOINT_URL") if env.get(name) and not _is_http_url(env[name])
    ]
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        malformed.append("LOG_LEVEL")
    content_dir = Path(env["CONTENT_DIR"]) if env.get("CONTENT_DIR") else None
    if content_dir is not None and not content_dir.is_dir():
        malformed.append("CONTENT_DIR")
    if missing or malformed:
        problems = [f"missing: {', '.join(missing)}"] if missing else []
        problems += [f"malformed: {', '.join(malformed)}"] if malformed else []
        raise ConfigError("Invalid CRM sync configuration (" + "; ".join(problems) + ")")
    return CrmSettings(
        app_stage=env["APP_STAGE"],
        users_table=env["DYNAMODB_USERS_TABLE"],
        enrollments_table=env["DYNAMODB_ENROLLMENTS_TABLE"],
        progress_table=env["DYNAMODB_PROGRESS_TABLE"],
        badges_table=env["DYNAMODB_BADGES_TABLE"],
        hubspot_base_url=(env.get("HUBSPOT_BASE_URL") or DEFAULT_HUBSPOT_BASE_URL).rstrip("/"),
        token_parameter=env.get("HUBSPOT_TOKEN_PARAMETER") or None,
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        content_dir=content_dir,
        log_level=log_level,
    )
