"""The typed environment (SPEC §2 "Env file keys"): what a run targets, validated before anything runs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, SecretStr, SerializationInfo, model_validator

from checks.errors import HarnessError
from checks.vocabulary import AREAS as AREAS  # re-exported: environments.AREAS
from checks.vocabulary import Area


class _Strict(BaseModel):
    # Unknown keys are typos in an env file; rejecting them beats silently checking the wrong thing.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tables(_Strict):
    users: str
    enrollments: str
    progress: str
    badges: str


class Cognito(_Strict):
    user_pool_id: str | None = None
    client_id: str | None = None
    domain: str | None = None  # hosted-UI base URL, e.g. https://<prefix>.auth.<region>.amazoncognito.com
    issuer: str | None = None
    callback_url: str | None = None
    logout_url: str | None = None
    other_client_id: str | None = None  # sandbox only: the second client for negative token tests


class Content(_Strict):
    course: str
    pathway: str
    module: str
    quiz_module: str | None = None  # a published module with a quiz (api.fuzz.no_5xx grades it); null = `module`


class Expected(_Strict):
    runtime: str
    memory_mb: int = Field(gt=0)
    timeout_s: int = Field(gt=0)
    handler: str | None = None


class Crm(_Strict):
    """The CRM sync (SPEC §7): where HubSpot answers and the thresholds; the consumer's AWS names (None = derived
    from the env's stage in one place, `checks/aws/names.py`: `hedgehog-learn-<stage>-crm-sync`, `...-crm-sync-dlq`,
    `/hedgehog-learn/<stage>/hubspot-token`). The token itself is a secret: `HHL_HUBSPOT_TOKEN` (aws) or the
    sandbox state (local), never an env-file key."""

    enabled: bool = False
    base_url: str | None = None  # local: null = the sandbox stand-in (state `crm_url`)
    sync_deadline_s: int = Field(default=300, gt=0)
    success_ratio: float = Field(default=0.9, ge=0, le=1)
    function_name: str | None = None
    dlq_name: str | None = None
    token_parameter: str | None = None


class Fuzz(_Strict):
    """Bounds of `api.fuzz.no_5xx` (null = the default of `checks.fuzz.runner.FuzzBounds`)."""

    max_examples: int | None = Field(default=None, gt=0)  # per operation, generated
    max_seconds: float | None = Field(default=None, gt=0)  # all operations together
    rate_per_s: float | None = Field(default=None, gt=0)  # paced below the stage throttle
    max_coverage_cases: int | None = Field(default=None, ge=0)  # per operation, deterministic cases sent first


class Load(_Strict):
    """Where the load checks' engine runs (docs/LOAD.md): `workers` 0 = one Locust process (LocalRunner); N = a
    Locust master with N workers, started by the master on this machine or, with `external_workers`, started
    elsewhere (`python -m suites.load.engine worker --master-host H --master-port P`) and connecting to
    `master_bind_host:master_port`."""

    workers: int = Field(default=0, ge=0, le=64)
    external_workers: bool = False
    master_bind_host: str = "127.0.0.1"
    master_port: int = Field(default=0, ge=0, le=65535)  # 0: a free port (local workers only)
    worker_connect_timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _external_workers_need_a_port(self) -> Load:
        if self.external_workers and not (self.workers and self.master_port):
            raise ValueError("load.external_workers needs workers ≥ 1 and a fixed master_port to connect to")
        return self


class Waiver(_Strict):
    check: str
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date


class TestUserRef(_Strict):
    """One reserved test user of an aws env: the NAMES of the process-environment variables holding its username
    and password (never the values). `HHL_TEST_USERNAME`/`HHL_TEST_PASSWORD` are always the first user."""

    __test__ = False  # not a pytest test class

    username_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    password_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")


DEFAULT_TEST_USER = TestUserRef(username_env="HHL_TEST_USERNAME", password_env="HHL_TEST_PASSWORD")


class Credentials(BaseModel):
    """Secrets resolved from the process environment only; SecretStr keeps them out of every repr."""

    model_config = ConfigDict(frozen=True)

    test_username: SecretStr | None = None
    test_password: SecretStr | None = None
    hubspot_token: SecretStr | None = None
    # Every reserved test user (env key `test_users`), in order; None where a variable is unset.
    test_users: tuple[tuple[SecretStr | None, SecretStr | None], ...] = ()


class SandboxInfo(BaseModel):
    """Where the local sandbox answered (kind local only): read from its state file."""

    model_config = ConfigDict(frozen=True)

    state_file: str
    idp_url: str | None = None
    backend_version: str = ""
    faults: list[str] = Field(default_factory=list)
    users: list[tuple[str, SecretStr]] = Field(default_factory=list)
    crm_token: SecretStr | None = None  # the HubSpot stand-in's bearer token (state `crm_token`)


# `SandboxState.model_dump_json(context={REVEAL_SECRETS: True})`: the state file's own serialisation, the one dump
# that writes the secrets' values.
REVEAL_SECRETS = "reveal_secrets"


def _secret_value_in_the_state_file(value: SecretStr, info: SerializationInfo) -> str | SecretStr:
    # The file is the sandbox's (0600) and its readers need the values; every other dump keeps them masked.
    if (info.context or {}).get(REVEAL_SECRETS):
        return value.get_secret_value()
    return str(value) if info.mode_is_json() else value


StateSecret = Annotated[SecretStr, PlainSerializer(_secret_value_in_the_state_file)]
StateUrl = Annotated[str, Field(min_length=1)]


class SandboxUser(_Strict):
    """One test user the sandbox provisioned (fresh password per sandbox)."""

    username: str = Field(min_length=1)
    password: StateSecret


class SandboxState(_Strict):
    """The sandbox state file (`python -m sandbox up --state-file`), written by sandbox/compose.py once every server
    answers and read by the loader (kind local) and the tools that drive a sandbox. The six required fields are
    what a local env cannot do without; the rest fill the env where local.yaml leaves null."""

    site_url: StateUrl
    api_url: StateUrl
    idp_url: StateUrl  # the hosted-UI stand-in (Cognito's domain)
    aws_endpoint_url: StateUrl  # moto
    user_pool_id: StateUrl
    client_id: StateUrl
    region: str | None = None
    stage: str | None = None
    backend_version: str = ""
    account_id: str | None = None
    stack_name: str | None = None
    other_client_id: str | None = None
    function_name: str | None = None
    log_group: str | None = None
    api_id: str | None = None
    callback_url: str | None = None
    logout_url: str | None = None
    issuer: str | None = None
    tables: Tables | None = None
    users: list[SandboxUser] = Field(default_factory=list)
    faults: list[str] = Field(default_factory=list)
    pid: int | None = None  # the `python -m sandbox up` process
    crm_url: str | None = None  # the HubSpot stand-in
    crm_token: StateSecret | None = None  # its bearer token (None: a fault hands out none)

    def required(self, name: str) -> str:
        """An optional field a tool cannot do without: compose always writes it, a hand-written file may not."""
        value = getattr(self, name)
        if not isinstance(value, str) or not value:
            raise ValueError(f"the sandbox state lacks {name}")
        return value

    def file_text(self) -> str:
        """The state file's content: JSON with the secrets' values (the file's permissions protect them)."""
        return self.model_dump_json(indent=2, context={REVEAL_SECRETS: True})


# Fields an aws env file must set itself; a local file leaves them null and the sandbox state fills them.
_REQUIRED_FOR_AWS = ("site_base_url", "api_base_url", "site_api_base_url")
_REQUIRED_COGNITO_FOR_AWS = ("user_pool_id", "client_id", "domain", "issuer", "callback_url", "logout_url")
# The keys `Environment.required` reads: typed as `str | None` in the file, set in every loaded env.
TargetKey = Literal[
    "region",
    "site_base_url",
    "api_base_url",
    "site_api_base_url",
    "cognito.user_pool_id",
    "cognito.client_id",
    "cognito.domain",
    "cognito.issuer",
    "cognito.callback_url",
    "cognito.logout_url",
]


class Environment(_Strict):
    """One target. `kind` decides how it is reached: `aws` (real account) or `local` (the sandbox)."""

    name: str
    kind: Literal["aws", "local"]
    profile: str
    region: str | None = None
    account_id: str | None = None  # null → infra.target.account_region ends `warning`
    site_base_url: str | None = None
    api_base_url: str | None = None
    api_direct_url: str | None = None
    site_api_base_url: str | None = None
    api_id: str | None = None  # null on prod: discovered from the custom domain's API mapping
    stack_name: str
    function_name: str
    alias: str | None = None
    log_group: str
    tables: Tables
    alarm_prefix: str
    dashboard: str | None = None
    sns_topic: str | None = None
    cognito: Cognito
    cors_origins: list[str] = Field(default_factory=list)
    # The Domain the session cookies must carry (the backend's COOKIE_DOMAIN, SPEC §3.3); null = host-only.
    cookie_domain: str | None = None
    content: Content
    expected: Expected
    allow_writes: bool = False
    required_areas: list[Area] = Field(default_factory=list)
    crm: Crm = Field(default_factory=Crm)
    fuzz: Fuzz = Field(default_factory=Fuzz)
    load: Load = Field(default_factory=Load)
    waivers: list[Waiver] = Field(default_factory=list)
    # Reserved test users (aws): variable names per user; empty = the one HHL_TEST_USERNAME/HHL_TEST_PASSWORD user.
    test_users: list[TestUserRef] = Field(default_factory=list)
    # How long load.alarms_quiet_after watches the alarms after this run's load (0: one look, no wait).
    alarm_quiet_window_s: int = Field(default=300, ge=0)
    # Filled by the loader, never by an env file (`exclude` keeps them out of the public dump).
    aws_endpoint_url: str | None = None
    source_file: str = Field(default="", exclude=True)
    credentials: Credentials = Field(default_factory=Credentials, exclude=True)
    sandbox: SandboxInfo | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _aws_targets_are_explicit(self) -> Environment:
        if self.kind != "aws":
            return self
        missing = [key for key in _REQUIRED_FOR_AWS if getattr(self, key) is None]
        missing += [f"cognito.{key}" for key in _REQUIRED_COGNITO_FOR_AWS if getattr(self.cognito, key) is None]
        if missing or self.region is None:
            missing += [] if self.region is not None else ["region"]
            raise ValueError(f"kind aws needs explicit values for {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _first_test_user_is_the_default(self) -> Environment:
        if self.test_users and self.test_users[0] != DEFAULT_TEST_USER:
            raise ValueError(
                "test_users: the first user must be {username_env: HHL_TEST_USERNAME, password_env: HHL_TEST_PASSWORD}"
            )
        return self

    @property
    def test_user_refs(self) -> list[TestUserRef]:
        """The reserved test users' variable names (at least the default one)."""
        return list(self.test_users) or [DEFAULT_TEST_USER]

    def public_dict(self) -> dict:
        """The env file content without secrets: what the reports show (and must include kind/profile/...)."""
        return self.model_dump(mode="json")

    @property
    def hosted_ui_url(self) -> str | None:
        return self.cognito.domain

    def required(self, key: TargetKey) -> str:
        """The value of `key` as a `str`: an aws env file must set it (checked at load), a local one gets it from the
        sandbox state. Unset here means an incomplete env: a clear error naming the key, not a later AttributeError."""
        section, _, name = key.rpartition(".")
        value = getattr(self.cognito if section else self, name)
        if not isinstance(value, str) or not value:
            raise HarnessError(f"{self.source_file or self.name}: `{key}` is not set for env {self.name}")
        return value
