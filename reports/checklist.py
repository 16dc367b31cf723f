"""Rollout checklist items (SPEC §11.2 `rollout-checklist.md`) as data: text with real names, plus the check id
that proves the item (None = manual). The template only lays them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checks.crm import registry

__all__ = [
    "ALARM_EMAIL_VARIABLE",
    "COOKIE_SECRET_VARIABLE",
    "CRM_PROPERTIES",
    "HUBSPOT_API",
    "NOT_IN_SANDBOX",
    "ROLLBACK_TRIGGERS",
    "Item",
    "alarm_name",
    "alarm_test_commands",
    "checklist_sections",
    "code_bucket",
    "crm_names",
    "crm_property_list",
    "deploy_commands",
    "deploy_parameters",
    "stage_of",
    "success_criteria",
]

# SPEC §7 property registry, read from the one registry module (a checklist once listed properties that did not
# exist): the CRM section names these and nothing else.
CRM_PROPERTIES = registry.names()


def crm_property_list() -> str:
    """Every registry property with its HubSpot type, e.g. "`hhl_total_progress` (number)"."""
    return ", ".join(f"`{prop.name}` ({prop.type})" for prop in registry.PROPERTIES)


def crm_names(*names: str) -> str:
    """Registry names only: a name the registry lacks is a KeyError here, never a checklist line."""
    return " and ".join(f"`{registry.by_name(name).name}`" for name in names)


ROLLBACK_TRIGGERS = (
    ("Any alarm in ALARM for more than 5 minutes", "infra.alarms.state"),
    ("Lambda error rate above 10% for 10 minutes", None),
    ("API 5xx rate above 5% for 5 minutes", None),
    ("More than 5 auth support tickets in 30 minutes", None),
    ("CRM sync failing for more than 20% of enrollments", None),
    ("`/auth/me` p95 above 2 s for 15 minutes", None),
)


@dataclass(frozen=True)
class Item:
    text: str
    check: str | None = None
    commands: tuple[str, ...] = ()  # rendered as a bash block under the item, in order


# A rendered line that starts with this marker names the next command as one the sandbox cannot run, and why.
# tests/integration/test_rendered_commands.py runs every other command against moto and asserts the marker for these.
NOT_IN_SANDBOX = "# [not run against the sandbox]"
COOKIE_SECRET_VARIABLE = "HHL_AUTH_COOKIE_SECRET"
HUBSPOT_API = "https://api.hubapi.com"
ALARM_EMAIL_VARIABLE = "HHL_ALARM_EMAIL"


def _env(environment: Mapping[str, Any], key: str, default: str = "<unset>") -> str:
    value = environment.get(key)
    return str(value) if value not in (None, "") else default


def stage_of(environment: Mapping[str, Any]) -> str:
    """`hedgehog-learn-<stage>` is the stack name (SPEC §2), so the stage is what follows the prefix."""
    stack = _env(environment, "stack_name", "")
    if stack.startswith("hedgehog-learn-"):
        return stack.removeprefix("hedgehog-learn-")
    return str(environment.get("name"))


def alarm_name(environment: Mapping[str, Any], suffix: str) -> str:
    """`hedgehog-learn-<stage>-<suffix>`; the env's `alarm_prefix` may or may not end with the hyphen."""
    prefix = _env(environment, "alarm_prefix", f"hedgehog-learn-{stage_of(environment)}-")
    return f"{prefix.rstrip('-')}-{suffix}"


def deploy_parameters(environment: Mapping[str, Any]) -> dict[str, str]:
    """Every parameter of backend/template.yaml (SPEC §6), from the env; secrets only as shell variables."""
    stage = stage_of(environment)
    site = _env(environment, "site_base_url")
    cognito = environment.get("cognito") or {}
    origins = environment.get("cors_origins") or [site]
    crm = environment.get("crm") or {}
    return {
        "Stage": stage,
        "SiteBaseUrl": site,
        "CorsOrigins": ",".join(str(o) for o in origins),
        "CognitoDomainPrefix": str(environment.get("cognito_domain_prefix") or f"hedgehog-learn-{stage}"),
        "CallbackUrls": str(cognito.get("callback_url") or f"{_env(environment, 'api_base_url')}/auth/callback"),
        "LogoutUrls": f"{cognito.get('logout_url') or site + '/learn'},{site}/",
        "AlarmEmail": f'"${{{ALARM_EMAIL_VARIABLE}:-}}"',
        "AuthCookieSecret": f'"${COOKIE_SECRET_VARIABLE}"',
        "CodeS3Bucket": code_bucket(environment),
        "CodeS3Key": '"$CODE_KEY"',
        # The CRM sync consumer (SPEC §7): where HubSpot answers and the SSM name of its token (never the token).
        "HubSpotBaseUrl": str(crm.get("base_url") or HUBSPOT_API),
        "HubSpotTokenParameterName": str(crm.get("token_parameter") or f"/hedgehog-learn/{stage}/hubspot-token"),
    }


def code_bucket(environment: Mapping[str, Any]) -> str:
    return str(environment.get("code_bucket") or f"hedgehog-learn-{stage_of(environment)}-artifacts")


def deploy_commands(environment: Mapping[str, Any]) -> list[str]:
    """Build, upload the zip, deploy the template with every parameter, then (with an alias) publish a version and
    move the alias to it.

    `AWS::Lambda::Version` is not replaced when only the code changes, so on an existing stack a bare
    `cloudformation deploy` leaves the old code behind `live`: the version is published and the alias moved here.
    The stack's alias resource then differs from its template version until `ApiFunctionVersion` changes too."""
    fn, stack, region = _env(environment, "function_name"), _env(environment, "stack_name"), _env(environment, "region")
    alias = environment.get("alias")
    overrides = " ".join(f"{k}={v}" for k, v in deploy_parameters(environment).items())
    commands = [
        f"{NOT_IN_SANDBOX} builds dist/ from the working tree; the sandbox is started from its output (tests/sandbox)",
        "make package",
        'CODE_ZIP=$(ls -t dist/hhl_backend-*.zip | head -n 1) && CODE_KEY=$(basename "$CODE_ZIP")',
        f'aws s3 cp "$CODE_ZIP" "s3://{code_bucket(environment)}/$CODE_KEY" --region {region}',
        f'test -n "${COOKIE_SECRET_VARIABLE}"  # the stack\'s current AuthCookieSecret, from the secret store',
        f"{NOT_IN_SANDBOX} moto's CloudFormation skips alarms, Cognito and API Gateway v2 and drops PITR/SSE "
        "(SPEC §6): the sandbox is provisioned by `python -m sandbox up` instead",
        f"aws cloudformation deploy --stack-name {stack} --template-file backend/template.yaml "
        f"--capabilities CAPABILITY_NAMED_IAM --region {region} --parameter-overrides {overrides}",
        f"aws lambda wait function-updated --function-name {fn} --region {region}",
    ]
    if alias:
        commands += [
            f"NEW_VERSION=$(aws lambda publish-version --function-name {fn} --region {region} "
            f'--description "$CODE_KEY" --query Version --output text)',
            f'aws lambda update-alias --function-name {fn} --name {alias} --function-version "$NEW_VERSION" '
            f"--region {region}",
        ]
    return commands


def alarm_test_commands(environment: Mapping[str, Any]) -> list[str]:
    region = _env(environment, "region")
    name = alarm_name(environment, "lambda-errors")
    return [
        f"aws cloudwatch set-alarm-state --alarm-name {name} --state-value ALARM "
        f"--state-reason 'rollout test' --region {region}",
        f"aws cloudwatch describe-alarms --alarm-names {name} --query 'MetricAlarms[].StateValue' "
        f"--output text --region {region}",
        f"aws cloudwatch set-alarm-state --alarm-name {name} --state-value OK "
        f"--state-reason 'rollout test done' --region {region}",
    ]


def checklist_sections(environment: Mapping[str, Any]) -> list[tuple[str, list[Item]]]:
    """Sections in SPEC order (rollback triggers, success criteria and sign-off are laid out by the template)."""
    fn, stack, region = _env(environment, "function_name"), _env(environment, "stack_name"), _env(environment, "region")
    tables = environment.get("tables") or {}
    progress = tables.get("progress", "<progress table>")
    site, api = (
        _env(environment, "site_base_url"),
        _env(environment, "site_api_base_url", _env(environment, "api_base_url")),
    )
    return [
        (
            "Prerequisites",
            [
                Item(
                    f"AWS account and region `{region}` confirmed, stack `{stack}` exists",
                    "infra.target.account_region",
                ),
                Item(
                    f"API base `{_env(environment, 'api_base_url')}` answers as the gateway",
                    "api.target.gateway_fingerprint",
                ),
                Item(f"Site `{site}/learn` answers with the DOM contract", "e2e.target.site_identity"),
                Item("Hosted UI login page reachable from `/auth/login`", "e2e.target.hosted_ui_identity"),
                Item("Test user credentials exported (`HHL_TEST_USERNAME`, `HHL_TEST_PASSWORD`), never in files"),
            ],
        ),
        (
            "Phase A: backend",
            [
                Item(f"Pre-check: stack `{stack}` status and drift", "infra.cfn.stack_status"),
                Item(f"Pre-check: PITR on `{progress}` and the other tables", "infra.dynamodb.pitr_enabled"),
                Item("Pre-check: tag the release (`git tag -a rollout-<date>`) and note the current `live` version"),
                Item(
                    f"Deploy: package and upload the code, deploy `{stack}` with every template parameter, "
                    f"publish a version of `{fn}` and move `live` to it (`${COOKIE_SECRET_VARIABLE}` is the "
                    "stack's current cookie secret, never written to a file)",
                    commands=tuple(deploy_commands(environment)),
                ),
                Item(f"Post-deploy: `{fn}` runtime, handler and state", "infra.lambda.config"),
                Item(f"Post-deploy: `{fn}` required environment variable names present", "infra.lambda.env_vars"),
                Item("Post-deploy: alias `live` points at the new published version", "infra.lambda.alias_live"),
                Item(
                    "Post-deploy: the previous published version is still there to roll back to",
                    "infra.lambda.rollback_ready",
                ),
                Item("Post-deploy: the 10 routes, payload 2.0, stage `$default`", "infra.apigw.routes"),
                Item("Post-deploy: full HTTP login lands on the site", "api.callback.success"),
                Item("Post-deploy: `/auth/me` returns the profile", "api.me.profile"),
            ],
        ),
        (
            "Phase B: site",
            [
                Item("`cognito-auth-integration.js` loaded, legacy `auth-context.js` absent", "e2e.site.wiring"),
                Item(f"Login link `#hhl-enroll-login` points to `{api}/auth/login?redirect_url=`", "e2e.site.wiring"),
                Item("Anonymous pages show the sign-in CTA", "e2e.anon.pages"),
                Item("Full browser login returns to the course page on the site origin", "e2e.login.full_flow"),
                Item("Signed-in CTA upgraded to `#hhl-enroll-button`", "e2e.auth.cta_upgraded"),
                Item("Enroll shows the enrolled state and survives a reload", "e2e.auth.enroll_outcome"),
                Item("Sign out reverts to anonymous", "e2e.logout.reverts"),
            ],
        ),
        (
            "CRM",
            [
                Item(
                    f"Properties exist in HubSpot with their types: {crm_property_list()}",
                    "crm.properties.exist",
                ),
                Item(
                    f"{crm_names('hhl_enrolled_courses', 'hhl_last_activity')} reflect an enrollment",
                    "crm.sync.enrollment_reflected",
                ),
                Item(
                    f"{crm_names('hhl_total_progress', 'hhl_progress_state')} reflect progress",
                    "crm.sync.progress_reflected",
                ),
                Item("Sync success ratio within the deadline", "crm.sync.success_rate"),
            ],
        ),
        (
            "Monitoring",
            [
                Item(
                    f"Dashboard `{_env(environment, 'dashboard', 'hedgehog-learn-<stage>')}` exists",
                    "security.ops.dashboard",
                ),
                Item(
                    f"SNS topic `{_env(environment, 'sns_topic', '<none>')}` wired to every alarm",
                    "security.ops.alarm_actions",
                ),
                Item("Alarms defined per SPEC §6", "infra.alarms.definitions"),
                Item("No alarm in ALARM", "infra.alarms.state"),
                Item(
                    f"Test alarm delivery: force `{alarm_name(environment, 'lambda-errors')}` into ALARM, confirm "
                    "the notification arrived, then set it back to OK (the next evaluation would anyway)",
                    commands=tuple(alarm_test_commands(environment)),
                ),
            ],
        ),
    ]


def success_criteria() -> list[Item]:
    return [
        Item("Every preflight passed", "api.target.gateway_fingerprint"),
        Item("Login, profile and logout work end to end", "e2e.login.full_flow"),
        Item("No lost updates under concurrency", "load.concurrency.no_lost_updates"),
        Item("Read latency p95 below 1000 ms", "load.api.read_latency"),
        Item("No alarm in ALARM after the load", "load.alarms_quiet_after"),
        Item("Gate verdict GO (`python -m reports.gate <run dir>` exits 0)"),
    ]
