"""Rollout checklist items (SPEC §11.2 `rollout-checklist.md`) as data: text with real names, plus the check id
that proves the item (None = manual). The template only lays them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# SPEC §7 property registry. The checklist may only name these (a checklist once listed properties that did not exist).
CRM_PROPERTIES = (
    "hhl_progress_state",
    "hhl_progress_updated_at",
    "hhl_progress_summary",
    "hhl_enrolled_courses",
    "hhl_completed_courses",
    "hhl_total_progress",
    "hhl_last_activity",
    "hhl_last_viewed_type",
    "hhl_last_viewed_slug",
    "hhl_last_viewed_at",
)

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


def _env(environment: Mapping[str, Any], key: str, default: str = "<unset>") -> str:
    value = environment.get(key)
    return str(value) if value not in (None, "") else default


def checklist_sections(environment: Mapping[str, Any]) -> list[tuple[str, list[Item]]]:
    """Sections in SPEC order (rollback triggers, success criteria and sign-off are laid out by the template)."""
    fn, stack, region = _env(environment, "function_name"), _env(environment, "stack_name"), _env(environment, "region")
    tables = environment.get("tables") or {}
    progress = tables.get("progress", "<progress table>")
    alarm_prefix = _env(environment, "alarm_prefix", f"{fn.removesuffix('-api')}")
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
                    f"Deploy: `make package && aws cloudformation deploy --stack-name {stack} --template-file "
                    f"backend/template.yaml --capabilities CAPABILITY_NAMED_IAM --region {region}`"
                ),
                Item(f"Post-deploy: `{fn}` runtime, handler and state", "infra.lambda.config"),
                Item(f"Post-deploy: `{fn}` required environment variable names present", "infra.lambda.env_vars"),
                Item("Post-deploy: alias `live` points at the new published version", "infra.lambda.alias_live"),
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
                    f"Properties exist in HubSpot: {', '.join(f'`{p}`' for p in CRM_PROPERTIES)}",
                    "crm.properties.exist",
                ),
                Item(
                    "`hhl_enrolled_courses` and `hhl_last_activity` reflect an enrollment",
                    "crm.sync.enrollment_reflected",
                ),
                Item("`hhl_total_progress` and `hhl_progress_state` reflect progress", "crm.sync.progress_reflected"),
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
                    f"Test alarm delivery: `aws cloudwatch set-alarm-state --alarm-name {alarm_prefix}-lambda-errors "
                    f"--state-value ALARM --state-reason 'rollout test' --region {region}` "
                    "(it returns to OK on the next evaluation); confirm the notification arrived"
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
