"""Rollout checklist commands: real alarm names, a deploy that ships the code and moves `live` (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from reports import finish_run
from reports.checklist import NOT_IN_SANDBOX, alarm_name, alarm_test_commands, deploy_commands, deploy_parameters
from tests.reports.test_rollback import code_lines

TEMPLATE = Path(__file__).resolve().parents[2] / "backend" / "template.yaml"
ENV = {
    "name": "local",
    "stack_name": "hedgehog-learn-local",
    "function_name": "hedgehog-learn-local-api",
    "region": "us-west-2",
    "alias": "live",
    "alarm_prefix": "hedgehog-learn-local-",
    "site_base_url": "http://localhost:1",
    "api_base_url": "http://localhost:2",
    "cors_origins": ["http://localhost:1"],
    "cognito": {"callback_url": "http://localhost:2/auth/callback", "logout_url": "http://localhost:1/learn"},
}


class _Tag(yaml.SafeLoader):
    pass


_Tag.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_alarm_name_has_one_hyphen_whatever_the_prefix_ends_with() -> None:
    assert alarm_name(ENV, "lambda-errors") == "hedgehog-learn-local-lambda-errors"
    assert alarm_name({**ENV, "alarm_prefix": "hedgehog-learn-local"}, "lambda-errors") == (
        "hedgehog-learn-local-lambda-errors"
    )
    names = [re.search(r"--alarm-names? (\S+)", ln)[1] for ln in alarm_test_commands(ENV)]
    assert set(names) == {"hedgehog-learn-local-lambda-errors"}


def test_deploy_overrides_every_template_parameter_and_moves_live() -> None:
    parameters = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_Tag)["Parameters"]
    assert set(deploy_parameters(ENV)) == set(parameters)
    lines = deploy_commands(ENV)
    deploy = next(ln for ln in lines if ln.startswith("aws cloudformation deploy"))
    assert all(f" {name}=" in deploy for name in parameters)
    assert 'AuthCookieSecret="$HHL_AUTH_COOKIE_SECRET"' in deploy  # never the value
    assert lines[lines.index(deploy) - 1].startswith(NOT_IN_SANDBOX)
    upload = next(i for i, ln in enumerate(lines) if ln.startswith("aws s3 cp"))
    publish = next(i for i, ln in enumerate(lines) if "publish-version" in ln)
    assert upload < lines.index(deploy) < publish
    assert lines[-1].startswith("aws lambda update-alias --function-name hedgehog-learn-local-api --name live")


def test_rendered_checklist_carries_the_commands(make_run) -> None:
    fx = make_run()
    finish_run(fx.run_dir, fx.run, fx.checks, environment=fx.environment, secrets=[])
    text = (fx.run_dir / "rollout-checklist.md").read_text(encoding="utf-8")
    lines = code_lines(text)
    assert any(ln.startswith("aws cloudformation deploy ") and "--parameter-overrides" in ln for ln in lines)
    assert any(
        "set-alarm-state --alarm-name hedgehog-learn-local-lambda-errors --state-value ALARM" in ln for ln in lines
    )
    assert "-local--" not in text
    deploy = next(i for i, ln in enumerate(lines) if ln.startswith("aws cloudformation deploy "))
    assert lines[deploy - 1].startswith(f"{NOT_IN_SANDBOX} moto's CloudFormation skips")
    assert "`infra.lambda.rollback_ready`" in text
