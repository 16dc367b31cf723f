"""The stand-in's view of the user pool in moto: client settings, users and password checks.

Nothing here is cached: SPEC §9 wants every request to see the pool as it is now, so that a client whose
settings were broken after start-up fails the way real Cognito would.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from enum import Enum

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool

# Cognito's defaults when a client does not set a validity (API reference, CreateUserPoolClient).
_DEFAULT_VALIDITY = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}
_DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_VALIDITY_FIELD = {
    "AccessToken": "AccessTokenValidity",
    "IdToken": "IdTokenValidity",
    "RefreshToken": "RefreshTokenValidity",
}


_CLIENT_ABSENT = frozenset({"ResourceNotFoundException", "InvalidParameterException"})
_POOL_ABSENT = frozenset({"ResourceNotFoundException"})
_USER_ABSENT = frozenset({"UserNotFoundException"})
# Every refusal of a password check looks the same to the user (PreventUserExistenceErrors), except "disabled".
_LOGIN_REFUSED = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException", "PasswordResetRequiredException"}
)


_SESSION_LOCK = threading.Lock()


@functools.cache
def _boto_session() -> boto3.session.Session:
    # One session per process: building one re-parses the service models, which made every app slow to create.
    return boto3.session.Session()


class DirectoryUnavailable(Exception):
    """moto did not answer, or answered with an error the stand-in cannot map (carries no user data)."""


@dataclass(frozen=True)
class ClientSettings:
    """The fields of DescribeUserPoolClient the hosted UI acts on."""

    client_id: str
    client_secret: str | None
    oauth_enabled: bool  # AllowedOAuthFlowsUserPoolClient
    oauth_flows: frozenset[str]
    oauth_scopes: frozenset[str]
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    identity_providers: tuple[str, ...]
    access_ttl_s: int
    id_ttl_s: int
    refresh_ttl_s: int

    @classmethod
    def from_describe(cls, raw: dict) -> ClientSettings:
        return cls(
            client_id=raw["ClientId"],
            client_secret=raw.get("ClientSecret") or None,
            oauth_enabled=bool(raw.get("AllowedOAuthFlowsUserPoolClient", False)),
            oauth_flows=frozenset(raw.get("AllowedOAuthFlows", ())),
            oauth_scopes=frozenset(raw.get("AllowedOAuthScopes", ())),
            callback_urls=tuple(raw.get("CallbackURLs", ())),
            logout_urls=tuple(raw.get("LogoutURLs", ())),
            identity_providers=tuple(raw.get("SupportedIdentityProviders", ())),
            access_ttl_s=_validity_seconds(raw, "AccessToken"),
            id_ttl_s=_validity_seconds(raw, "IdToken"),
            refresh_ttl_s=_validity_seconds(raw, "RefreshToken"),
        )


def _validity_seconds(raw: dict, kind: str) -> int:
    value = raw.get(_VALIDITY_FIELD[kind])
    if value is None:
        default_value, default_unit = _DEFAULT_VALIDITY[kind]
        return default_value * _UNIT_SECONDS[default_unit]
    unit = (raw.get("TokenValidityUnits") or {}).get(kind, _DEFAULT_UNITS[kind])
    return int(value) * _UNIT_SECONDS.get(unit, _UNIT_SECONDS[_DEFAULT_UNITS[kind]])


@dataclass(frozen=True)
class UserRecord:
    """A user as AdminGetUser returns it."""

    username: str
    enabled: bool
    attributes: dict[str, str]

    @property
    def sub(self) -> str:
        return self.attributes.get("sub", self.username)

    @property
    def email_verified(self) -> bool:
        # SPEC §9 says `email_verified: true`; an attribute saying otherwise wins, so the stand-in never lies.
        return self.attributes.get("email_verified", "true").lower() == "true"


class LoginOutcome(Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"  # wrong password and unknown user alike (prevent user existence errors)
    DISABLED = "disabled"
    CHALLENGE = "challenge"  # e.g. NEW_PASSWORD_REQUIRED: the stand-in does not implement challenges


class Directory:
    """boto3 `cognito-idp` against moto, for one user pool. Sync work runs in the thread pool."""

    def __init__(self, *, endpoint_url: str, region: str, user_pool_id: str) -> None:
        self.user_pool_id = user_pool_id
        # Fixed dummy credentials: the endpoint is always the local moto, and a developer's real AWS
        # credentials must never be picked up from the environment and sent anywhere.
        with _SESSION_LOCK:  # boto3 sessions are not thread-safe while creating clients
            self._client = _boto_session().client(
                "cognito-idp",
                endpoint_url=endpoint_url,
                region_name=region,
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",
                config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}),
            )

    async def _call(self, operation: str, handled: frozenset[str], **params: object) -> dict:
        """Run one boto3 operation; a ClientError whose code is in `handled` reaches the caller, any other
        failure becomes DirectoryUnavailable with the operation and code only (never user data)."""
        try:
            return await run_in_threadpool(getattr(self._client, operation), **params)
        except ClientError as exc:
            if _error_code(exc) in handled:
                raise
            raise DirectoryUnavailable(f"{operation} failed: {_error_code(exc)}") from None
        except BotoCoreError as exc:
            raise DirectoryUnavailable(f"{operation}: moto unreachable ({type(exc).__name__})") from None

    async def client(self, client_id: str) -> ClientSettings | None:
        """The client's current settings, or None when the pool has no such client."""
        if not client_id:
            return None
        try:
            raw = await self._call(
                "describe_user_pool_client", _CLIENT_ABSENT, UserPoolId=self.user_pool_id, ClientId=client_id
            )
        except ClientError:
            return None
        return ClientSettings.from_describe(raw["UserPoolClient"])

    async def pool_exists(self) -> bool:
        try:
            await self._call("describe_user_pool", _POOL_ABSENT, UserPoolId=self.user_pool_id)
        except ClientError:
            return False
        return True

    async def user(self, username: str) -> UserRecord | None:
        """AdminGetUser by username or email alias; None for an unknown user."""
        if not username:
            return None
        try:
            raw = await self._call("admin_get_user", _USER_ABSENT, UserPoolId=self.user_pool_id, Username=username)
        except ClientError:
            return None
        attributes = {a["Name"]: a["Value"] for a in raw.get("UserAttributes", ())}
        return UserRecord(username=raw["Username"], enabled=bool(raw.get("Enabled", True)), attributes=attributes)

    async def create_user(self, email: str, password: str, attributes: dict[str, str]) -> str:
        """A confirmed user with a verified email and a permanent password (no first-sign-in challenge), as the
        users hook creates them; returns moto's Username. Failures carry the operation and code only."""
        user_attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        user_attributes += [{"Name": name, "Value": value} for name, value in attributes.items() if value]
        created = await self._call(
            "admin_create_user",
            frozenset(),
            UserPoolId=self.user_pool_id,
            Username=email,
            UserAttributes=user_attributes,
            MessageAction="SUPPRESS",
        )
        await self._call(
            "admin_set_user_password",
            frozenset(),
            UserPoolId=self.user_pool_id,
            Username=email,
            Password=password,
            Permanent=True,
        )
        return str(created["User"]["Username"])

    async def password_policy(self) -> dict:
        """The pool's PasswordPolicy (empty when the pool sets none)."""
        raw = await self._call("describe_user_pool", frozenset(), UserPoolId=self.user_pool_id)
        return dict(raw["UserPool"].get("Policies", {}).get("PasswordPolicy", {}))

    async def check_password(self, client_id: str, username: str, password: str) -> LoginOutcome:
        """AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH. moto's error messages can echo the username, so
        they are mapped to outcomes here and never passed on."""
        if not username or not password:
            return LoginOutcome.BAD_CREDENTIALS
        try:
            result = await self._call(
                "admin_initiate_auth",
                _LOGIN_REFUSED,
                UserPoolId=self.user_pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            message = exc.response.get("Error", {}).get("Message", "")
            if _error_code(exc) == "NotAuthorizedException" and message == "User is disabled.":
                return LoginOutcome.DISABLED
            return LoginOutcome.BAD_CREDENTIALS
        return LoginOutcome.CHALLENGE if result.get("ChallengeName") else LoginOutcome.OK


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))
