"""Load `environments/<name>.yaml` (or a path) into a validated Environment, fill local URLs from the
sandbox state file and resolve secrets from the process environment. Every problem is one message."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError

from environments.models import DEFAULT_TEST_USER, Credentials, Environment, SandboxInfo, SandboxState, TestUserRef

ENV_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = ENV_DIR.parent
NAMED = ("local", "dev", "prod")
SECRET_VARIABLES = ("HHL_TEST_USERNAME", "HHL_TEST_PASSWORD", "HHL_HUBSPOT_TOKEN")


class EnvironmentFileError(Exception):
    """The env file (or the sandbox state file) is unusable. The message names the file, the field and what was
    expected; it never contains a secret value."""


def resolve_env_file(name_or_path: str) -> Path:
    """`local`/`dev`/`prod` → environments/<name>.yaml; anything else is a path to a YAML file."""
    if name_or_path in NAMED:
        return ENV_DIR / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        raise EnvironmentFileError(
            f"--env {name_or_path!r}: expected one of {', '.join(NAMED)} or the path of an existing .yaml file"
        )
    return path


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _format_validation(path: Path, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        where = _where(item["loc"])
        got = "" if item["type"] == "missing" else f" (got {item.get('input')!r:.60})"
        problems.append(f"{where}: {item['msg']}{got}")
    return f"{path}: invalid environment file: " + "; ".join(problems)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnvironmentFileError(f"{path}: cannot read the environment file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise EnvironmentFileError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise EnvironmentFileError(f"{path}: expected a mapping of env keys at the top level")
    return data


def _dotenv(path: Path, names: Collection[str] = SECRET_VARIABLES) -> dict[str, str]:
    """`KEY=VALUE` lines of a `.env` file (comments and blanks ignored); only the secret variables are kept."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() in names:
            values[key.strip()] = value.strip().strip("'\"")
    return values


def resolve_credentials(
    environ: dict[str, str] | None = None, dotenv: Path | None = None, user_refs: Sequence[TestUserRef] = ()
) -> Credentials:
    """Secrets come only from the process environment, then a `.env` beside the project (never an env file).
    `user_refs`: the env file's reserved test users (variable names); default the HHL_TEST_* user."""
    refs = list(user_refs) or [DEFAULT_TEST_USER]
    names = {*SECRET_VARIABLES, *(n for ref in refs for n in (ref.username_env, ref.password_env))}
    values = _dotenv(dotenv or PROJECT_ROOT / ".env", names)
    values.update({k: v for k, v in (os.environ if environ is None else environ).items() if k in names})

    def secret(name: str) -> SecretStr | None:
        return SecretStr(values[name]) if values.get(name) else None

    return Credentials(
        test_username=secret("HHL_TEST_USERNAME"),
        test_password=secret("HHL_TEST_PASSWORD"),
        hubspot_token=secret("HHL_HUBSPOT_TOKEN"),
        test_users=tuple((secret(ref.username_env), secret(ref.password_env)) for ref in refs),
    )


def _read_state(path: Path) -> SandboxState:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EnvironmentFileError(f"{path}: unreadable sandbox state file ({exc.strerror})") from None
    try:
        return SandboxState.model_validate_json(text)
    except ValidationError as exc:
        raise EnvironmentFileError(_format_state_errors(path, exc)) from None


def _format_state_errors(path: Path, error: ValidationError) -> str:
    """A missing or empty required field is "lacks X" (what an unfinished write looks like); anything else names
    the field and what was wrong. Inputs are never quoted: the file holds passwords."""
    problems = error.errors(include_url=False, include_input=False)
    if any(item["type"] == "json_invalid" for item in problems):
        return f"{path}: unreadable sandbox state file (not JSON)"
    absent = [item for item in problems if len(item["loc"]) == 1 and item["type"] in ("missing", "string_too_short")]
    lacking = [_where(item["loc"]) for item in absent]
    others = [f"{_where(item['loc'])}: {item['msg']}" for item in problems if item not in absent]
    parts = [f"sandbox state file lacks {', '.join(lacking)}"] if lacking else []
    parts += [f"invalid sandbox state file: {'; '.join(others)}"] if others else []
    return f"{path}: " + "; ".join(parts)


def _fill_from_state(data: dict[str, Any], state: SandboxState, state_file: Path) -> dict[str, Any]:
    """A null in local.yaml means "whatever the sandbox answered on"; explicit values in the file win, so that
    a sandbox provisioned under other names is caught by the checks instead of silently followed."""
    site, api, idp = (url.rstrip("/") for url in (state.site_url, state.api_url, state.idp_url))
    fills: dict[str, Any] = {
        "region": state.region,
        "account_id": state.account_id,
        "site_base_url": site,
        "api_base_url": api,
        "api_direct_url": api,
        "site_api_base_url": api,
        "api_id": state.api_id,
        "cors_origins": [site],
        "aws_endpoint_url": state.aws_endpoint_url.rstrip("/"),
        "stack_name": state.stack_name,
        "function_name": state.function_name,
        "tables": state.tables.model_dump() if state.tables else None,
    }
    cognito = {
        "user_pool_id": state.user_pool_id,
        "client_id": state.client_id,
        "other_client_id": state.other_client_id,
        "domain": idp,
        "issuer": f"{idp}/{state.user_pool_id}",
        "callback_url": state.callback_url or f"{api}/auth/callback",
        "logout_url": state.logout_url or f"{site}/learn",
    }
    merged = dict(data)
    for key, value in fills.items():
        if merged.get(key) in (None, []) and value is not None:
            merged[key] = value
    merged["cognito"] = {**cognito, **{k: v for k, v in (data.get("cognito") or {}).items() if v is not None}}
    crm = dict(data.get("crm") or {})
    if crm.get("base_url") is None and state.crm_url:
        crm["base_url"] = state.crm_url.rstrip("/")
    merged["crm"] = crm
    merged["sandbox"] = SandboxInfo(
        state_file=str(state_file),
        idp_url=idp,
        backend_version=state.backend_version,
        faults=list(state.faults),
        users=[(user.username, user.password) for user in state.users],
        crm_token=state.crm_token or None,
    )
    return merged


def load_environment(
    name_or_path: str, *, sandbox_state: Path | None = None, environ: dict[str, str] | None = None
) -> Environment:
    """Load and validate one environment. For kind `local`, `sandbox_state` (the file `python -m sandbox up`
    wrote) fills the URL/id fields; without it they stay null (enough for collection-time decisions).

    >>> env = load_environment("dev")
    >>> env.api_base_url
    'https://hvoog2lnha.execute-api.us-west-2.amazonaws.com'
    """
    path = resolve_env_file(name_or_path)
    data = _read_yaml(path)
    # Loader-filled fields are model fields too; an env file must not smuggle them in.
    forbidden = sorted({"credentials", "sandbox", "source_file", "aws_endpoint_url"} & set(data))
    if forbidden:
        raise EnvironmentFileError(
            f"{path}: {', '.join(forbidden)}: not an env-file key (secrets come from HHL_* environment variables)"
        )
    if data.get("kind") == "local" and sandbox_state is not None:
        data = _fill_from_state(data, _read_state(sandbox_state), sandbox_state)
    try:
        env = Environment.model_validate({**data, "source_file": str(path)})
    except ValidationError as exc:
        raise EnvironmentFileError(_format_validation(path, exc)) from None
    credentials = resolve_credentials(environ, user_refs=env.test_user_refs)
    if env.sandbox and env.sandbox.crm_token:
        # Locally the stand-in's token is the sandbox's (random per sandbox), never a variable of the shell.
        credentials = credentials.model_copy(update={"hubspot_token": env.sandbox.crm_token})
    return env.model_copy(update={"credentials": credentials})
