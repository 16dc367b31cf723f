"""The state file compose writes (sandbox/compose.py `_state`, written by `python -m sandbox up` 0600) is what the
loader reads: a local env filled from it, the passwords and the CRM token only as secrets."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from types import SimpleNamespace

from environments import load_environment
from environments.models import SandboxState
from sandbox import compose
from sandbox.orchestrator import write_private

TABLES = {name: f"hedgehog-learn-{name}-local" for name in ("users", "enrollments", "progress", "badges")}
PROVISIONED = SimpleNamespace(**{name: f"local-{name}" for name in compose.STATE_FROM_PROVISIONED}, tables=TABLES)
URLS = compose.Urls(
    site="http://localhost:8400",
    api="http://localhost:8401",
    idp="http://127.0.0.1:8402",
    aws="http://127.0.0.1:8403",
    crm="http://127.0.0.1:8404",
)
USERS = [SimpleNamespace(username="learner-one@example.com", password="Hh1-state-file-password")]
TOKEN = "crm-token-state-file-0123456789abcdef"


def _state(*faults: str) -> SandboxState:
    return compose._state(URLS, PROVISIONED, USERS, frozenset(faults), TOKEN)


def test_the_written_state_file_fills_the_local_env(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    write_private(path, _state("backend.open_redirect").file_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    env = load_environment("local", sandbox_state=path, environ={})
    assert (env.site_base_url, env.api_base_url, env.aws_endpoint_url) == (URLS.site, URLS.api, URLS.aws)
    assert env.cognito.issuer == f"{URLS.idp}/local-user_pool_id" and env.crm.base_url == URLS.crm
    assert env.tables.model_dump() == TABLES and (env.account_id, env.api_id) == ("local-account_id", "local-api_id")
    assert env.sandbox is not None and env.sandbox.faults == ["backend.open_redirect"]
    assert [(name, secret.get_secret_value()) for name, secret in env.sandbox.users] == [
        ("learner-one@example.com", "Hh1-state-file-password")
    ]
    assert env.credentials.hubspot_token is not None and env.credentials.hubspot_token.get_secret_value() == TOKEN
    for shown in (repr(env), json.dumps(env.public_dict()), repr(_state())):
        assert "Hh1-state-file-password" not in shown and TOKEN not in shown


def test_the_file_keeps_its_key_names() -> None:
    on_disk = json.loads(_state().file_text())
    assert on_disk["users"] == [{"username": "learner-one@example.com", "password": "Hh1-state-file-password"}]
    assert on_disk["tables"] == TABLES and on_disk["crm_token"] == TOKEN
    assert {"site_url", "api_url", "idp_url", "aws_endpoint_url", "region", "pid", "crm_url"} <= set(on_disk)


def test_api_proxy_off_points_the_env_api_at_the_site() -> None:
    assert _state("site.api_proxy_off").api_url == URLS.site
    assert _state().api_url == URLS.api
