"""Settings from environment variables (SPEC §3.1, D15). Bad configuration refuses to start (names, never values)."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MIN_COOKIE_SECRET_BYTES = 32
TABLE_KEYS = ("USERS", "ENROLLMENTS", "PROGRESS", "BADGES")
REQUIRED = (
    "APP_STAGE",
    "SITE_BASE_URL",
    "AUTH_COOKIE_SECRET",
    "COGNITO_USER_POOL_ID",
    "COGNITO_CLIENT_ID",
    "COGNITO_DOMAIN",
    "COGNITO_REDIRECT_URI",
    "COGNITO_ISSUER",
    *(f"DYNAMODB_{t}_TABLE" for t in TABLE_KEYS),
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """Configuration is missing or malformed; the message names the variables only."""


@dataclass(frozen=True)
class Settings:
    app_stage: str
    site_base_url: str
    auth_cookie_secret: bytes
    cognito_user_pool_id: str
    cognito_client_id: str
    cognito_base_url: str  # hosted-UI base, e.g. https://x.auth.us-west-2.amazoncognito.com
    cognito_redirect_uri: str
    cognito_issuer: str
    cognito_jwks_url: str
    cognito_logout_uri: str
    users_table: str
    enrollments_table: str
    progress_table: str
    badges_table: str
    cookie_domain: str | None = None
    content_dir: Path | None = None
    idp_timeout_s: float = 5.0
    log_level: str = "INFO"
    aws_endpoint_url: str | None = None

    def __repr__(self) -> str:
        # The cookie secret must never reach a log line or a traceback through repr().
        return f"Settings(app_stage={self.app_stage!r}, site_base_url={self.site_base_url!r}, ...)"


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _hosted_ui_base(value: str) -> str | None:
    """COGNITO_DOMAIN is a bare host in AWS (→ https://host) or a full base URL in the sandbox."""
    if "://" in value:
        return value.rstrip("/") if _is_http_url(value) else None
    if "/" in value or " " in value:
        return None
    return f"https://{value}"


def _decode_secret(value: str) -> bytes | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            return None
    return raw if len(raw) >= MIN_COOKIE_SECRET_BYTES else None


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read and validate every variable; raise one ConfigError listing all problems."""
    env = {k: v.strip() for k, v in environ.items() if isinstance(v, str)}
    missing = [name for name in REQUIRED if not env.get(name)]
    malformed: list[str] = []

    def check(name: str, ok: bool) -> None:
        if env.get(name) and not ok:
            malformed.append(name)

    secret = _decode_secret(env.get("AUTH_COOKIE_SECRET", ""))
    check("AUTH_COOKIE_SECRET", secret is not None)
    hosted_ui = _hosted_ui_base(env.get("COGNITO_DOMAIN", ""))
    check("COGNITO_DOMAIN", hosted_ui is not None)
    for name in ("SITE_BASE_URL", "COGNITO_REDIRECT_URI", "COGNITO_ISSUER", "COGNITO_JWKS_URL", "COGNITO_LOGOUT_URI"):
        check(name, _is_http_url(env.get(name, "")))
    if env.get("AWS_ENDPOINT_URL"):
        check("AWS_ENDPOINT_URL", _is_http_url(env["AWS_ENDPOINT_URL"]))
    timeout = env.get("IDP_TIMEOUT_S") or "5"
    try:
        idp_timeout = float(timeout)
    except ValueError:
        idp_timeout = -1.0
    if not 0 < idp_timeout <= 60:
        malformed.append("IDP_TIMEOUT_S")
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        malformed.append("LOG_LEVEL")
    content_dir = Path(env["CONTENT_DIR"]) if env.get("CONTENT_DIR") else None
    if content_dir is not None and not content_dir.is_dir():
        malformed.append("CONTENT_DIR")

    if missing or malformed:
        problems = []
        if missing:
            problems.append("missing: " + ", ".join(missing))
        if malformed:
            problems.append("malformed: " + ", ".join(malformed))
        raise ConfigError("Invalid backend configuration (" + "; ".join(problems) + ")")

    site = env["SITE_BASE_URL"].rstrip("/")
    issuer = env["COGNITO_ISSUER"]
    assert secret is not None and hosted_ui is not None  # guaranteed by the checks above
    return Settings(
        app_stage=env["APP_STAGE"],
        site_base_url=site,
        auth_cookie_secret=secret,
        cognito_user_pool_id=env["COGNITO_USER_POOL_ID"],
        cognito_client_id=env["COGNITO_CLIENT_ID"],
        cognito_base_url=hosted_ui,
        cognito_redirect_uri=env["COGNITO_REDIRECT_URI"],
        cognito_issuer=issuer,
        cognito_jwks_url=env.get("COGNITO_JWKS_URL") or issuer.rstrip("/") + "/.well-known/jwks.json",
        cognito_logout_uri=env.get("COGNITO_LOGOUT_URI") or site + "/learn",
        users_table=env["DYNAMODB_USERS_TABLE"],
        enrollments_table=env["DYNAMODB_ENROLLMENTS_TABLE"],
        progress_table=env["DYNAMODB_PROGRESS_TABLE"],
        badges_table=env["DYNAMODB_BADGES_TABLE"],
        cookie_domain=env.get("COOKIE_DOMAIN") or None,
        content_dir=content_dir,
        idp_timeout_s=idp_timeout,
        log_level=log_level,
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
    )
