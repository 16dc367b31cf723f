"""Settings of the CRM sync consumer from environment variables (crm-interfaces.md); names in errors, never values."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hhl_backend.config import LOG_LEVELS, TABLE_KEYS, ConfigError, _is_http_url
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


def load_crm_settings(environ: Mapping[str, str] = os.environ) -> CrmSettings:
    """Read and validate the consumer's variables; raise one ConfigError naming every problem."""
    env = {k: v.strip() for k, v in environ.items() if isinstance(v, str)}
    missing = [name for name in REQUIRED if not env.get(name)]
    valid: dict[str, Callable[[str], bool]] = {
        "HUBSPOT_BASE_URL": _is_http_url,
        "AWS_ENDPOINT_URL": _is_http_url,
        "LOG_LEVEL": lambda value: value.upper() in LOG_LEVELS,
        "CONTENT_DIR": lambda value: Path(value).is_dir(),
    }
    malformed = [name for name, ok in valid.items() if env.get(name) and not ok(env[name])]
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
        content_dir=Path(env["CONTENT_DIR"]) if env.get("CONTENT_DIR") else None,
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
    )
