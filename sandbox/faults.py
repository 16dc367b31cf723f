"""The sandbox fault catalog (SPEC §10): each entry is one realistic deployment defect the sandbox can plant.

`python -m sandbox faults` lists it; the project's fault-matrix test runs the harness against each entry and
expects every check in `caught_by` to turn red and the verdict to equal `verdict`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    component: str  # site | backend | gateway | idp | provision | client | crmsync | crm
    defect: str
    caught_by: tuple[str, ...]
    verdict: str = "NO-GO"
    second_wave: bool = False


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "site.api_proxy_off",
            "site",
            "The site origin answers API paths with the CMS 404 page; API base = site",
            ("api.target.gateway_fingerprint",),
            verdict="INCONCLUSIVE",
        ),
        Fault(
            "site.auth_script_missing",
            "site",
            "Pages do not load cognito-auth-integration.js",
            ("e2e.site.wiring", "e2e.auth.cta_upgraded"),
        ),
        Fault(
            "site.legacy_auth_script",
            "site",
            "Pages also load a legacy auth-context.js that overwrites hhIdentity",
            ("e2e.site.wiring",),
        ),
        Fault(
            "backend.state_as_jwt",
            "backend",
            "State is a signed JWT carrying the verifier, with no transaction cookie binding it to the browser",
            # two properties of the Jan-2026 login, both known weaknesses of its profile
            ("security.login.verifier_not_exposed", "security.login.state_bound_to_browser"),
        ),
        Fault(
            "backend.cookie_samesite_lax",
            "backend",
            "Session cookies SameSite=Lax",
            ("security.cookies.flags",),
        ),
        Fault(
            "backend.cookie_not_httponly",
            "backend",
            "Session cookies without HttpOnly",
            ("security.cookies.flags",),
        ),
        Fault(
            "backend.relative_callback_location",
            "backend",
            "Callback Location is relative, so it resolves on the API host",
            # e2e.login.full_flow declares api.callback.success as its prerequisite (one root cause, one red check):
            # in a run with both it is blocked; the e2e suite alone still catches the defect there.
            ("api.callback.success", "api.callback.idp_error"),
        ),
        Fault(
            "backend.open_redirect",
            "backend",
            r"The sanitiser lets //evil.com and /\evil.com through",
            ("security.login.open_redirect",),
        ),
        Fault(
            "backend.email_identity",
            "backend",
            "Data routes trust ?email= / contactIdentifier",
            ("security.data.no_email_identity_reads", "security.data.no_unauthenticated_writes"),
        ),
        Fault(
            "backend.read_modify_write",
            "backend",
            "Progress written as read-modify-write of one document",
            ("load.concurrency.no_lost_updates",),
        ),
        Fault(
            "backend.test_bypass",
            "backend",
            "code=MOCK_* issues mock session cookies",
            ("security.auth.test_bypass_disabled",),
        ),
        # Beyond SPEC §10's minimum: weaknesses of the real deployment (SPEC §3 "Real deployment" notes), so that
        # each of these checks is also proven to fail on a broken target. Medium/low catches → GO with a finding.
        Fault(
            "backend.quiz_always_passes",
            "backend",
            'POST /quiz/grade answers {"score":100,"pass":true} whatever the answers and persists nothing '
            "(real deployment, SPEC §3.12)",
            ("api.quiz.grading",),
        ),
        Fault(
            "backend.idp_errors_500",
            "backend",
            'Every IdP/token failure in the callback, a bogus code included, is 500 {"error":"Authentication failed"} '
            "(real deployment, SPEC §3.4)",
            ("api.callback.bad_code_not_5xx",),
        ),
        Fault(
            "backend.no_payload_cap",
            "backend",
            "No 10,000-byte cap on /events/track and /quiz/grade bodies (a regression of SPEC §3.9; "
            "not a documented real-deployment weakness)",
            ("api.events.payload_cap",),
        ),
        Fault(
            "backend.no_silent_refresh",
            "backend",
            "/auth/me never uses the refresh cookie: learners go anonymous after 1 h (real deployment, Jan-2026 stage, "
            "SPEC §3.6)",
            ("api.me.silent_refresh",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        Fault(
            "backend.no_revocation",
            "backend",
            "Logout does not revoke the refresh token; it stays valid for 30 days (real deployment, SPEC §3.7)",
            ("security.logout.revokes_refresh",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        Fault(
            "backend.json_as_text_plain",
            "backend",
            "JSON bodies arrive as text/plain; charset=utf-8 (real deployment, SPEC §3.1)",
            ("api.content_type_json",),
            verdict="GO",  # low: a listed finding under SPEC §11.3
        ),
        Fault(
            "backend.no_nonce",
            "backend",
            "No OIDC nonce sent to /oauth2/authorize nor checked in the ID token (real deployment, SPEC §3.4)",
            ("security.login.nonce",),
        ),
        # Issue 9: the rest of SPEC §10's "Known real weaknesses", each as the real code behaves, so that the
        # composite profile:real-2026-01 below can plant all of them at once.
        Fault(
            "backend.data_ignores_session",
            "backend",
            "The data routes never read the session (cookie or Cognito Bearer), only the legacy HS256 Bearer: a "
            "signed-in user's events, enrollments and progress are not recorded (real deployment, SPEC §3.8)",
            (
                "api.events.persisted",
                "api.enrollments.list",
                "api.progress.module_lifecycle",
                "api.progress.aggregate",
                "api.progress.completion_rollup",
                "api.progress.completion_claim",
                "api.quiz.grading",
            ),
        ),
        Fault(
            "backend.email_only_login",
            "backend",
            "Legacy POST /auth/login {email} issues a 24 h HS256 token with no password (real deployment, SPEC §3.1)",
            ("security.auth.no_email_only_login",),
        ),
        Fault(
            "backend.backslash_redirect",
            "backend",
            r"The sanitiser rejects //evil.com but lets /\evil.com through (real deployment, SPEC §3.4)",
            ("security.login.open_redirect",),
        ),
        Fault(
            "backend.no_nosniff",
            "backend",
            "Responses carry no X-Content-Type-Options: nosniff (real deployment, SPEC §10 known weaknesses)",
            ("security.headers",),
            verdict="GO",  # low: a listed finding under SPEC §11.3
        ),
        Fault(
            "backend.cookie_domain",
            "backend",
            "Cookies carry Domain=localhost (COOKIE_DOMAIN), as the Jan-2026 stage set Domain=.hedgehog.cloud; "
            "caught where the env file declares no cookie_domain, green where it declares `localhost` (SPEC §3.3)",
            ("security.cookies.flags",),
        ),
        Fault(
            "provision.no_dashboard",
            "provision",
            "No dashboard (real deployment, SPEC §2)",
            ("security.ops.dashboard",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        Fault(
            "provision.no_alias",
            "provision",
            "No published version and no `live` alias; the integration targets the bare function (real, SPEC §2)",
            ("infra.lambda.alias_live",),
        ),
        Fault(
            "provision.iam_scan_delete",
            "provision",
            "The function role also grants dynamodb:Scan and dynamodb:DeleteItem (real deployment, SPEC §6)",
            ("security.iam.least_privilege",),
            verdict="GO",  # low: a listed finding under SPEC §11.3
        ),
        Fault(
            "gateway.cors_wildcard",
            "gateway",
            "The gateway layer echoes any Origin with credentials",
            ("security.cors.disallowed_origin",),
        ),
        Fault(
            "idp.jwks_unreachable",
            "idp",
            "The JWKS URL the backend uses does not answer",
            ("api.callback.success", "api.me.profile"),
        ),
        Fault(
            "provision.no_pitr",
            "provision",
            "PITR off on the progress table",
            ("infra.dynamodb.pitr_enabled",),
        ),
        Fault(
            "provision.no_sse",
            "provision",
            "One table without SSE",
            ("infra.dynamodb.sse_enabled",),
        ),
        Fault(
            "provision.no_stream",
            "provision",
            "One table without a stream",
            ("infra.dynamodb.streams",),
        ),
        Fault(
            "provision.no_alarm_actions",
            "provision",
            "Alarms without actions",
            ("security.ops.alarm_actions",),
        ),
        Fault(
            "provision.alarm_firing",
            "provision",
            "The Lambda-errors alarm in ALARM",
            ("infra.alarms.state",),
        ),
        Fault(
            "provision.retention_14",
            "provision",
            "Log retention 14 days",
            ("infra.logs.group",),
            # infra.logs.group is medium: under SPEC §11.3 a medium failure is a listed finding, not NO-GO.
            verdict="GO",
        ),
        Fault(
            "provision.default_memory",
            "provision",
            "Function at 1024 MB / 6 s",
            # Memory and timeout are explicit_memory_timeout's property; infra.lambda.config shows them as a note.
            ("security.ops.explicit_memory_timeout",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        Fault(
            "provision.env_test_bypass",
            "provision",
            "ENABLE_TEST_BYPASS=true in the function's environment",
            ("infra.lambda.env_vars",),
        ),
        Fault(
            "client.drop_callback_url",
            "client",
            "The app client's callback URL removed",
            # SPEC §11.3: the hosted UI still answers as the IdP (its preflight passes); the refused callback URL is
            # the client config's and the browser login's failure.
            ("infra.cognito.client", "e2e.login.full_flow"),
        ),
        # Issue 11: the CRM sync consumer (SPEC §7), planted through its seams (sandbox/backend_faults/crmsync.py),
        # and its provisioning (sandbox/aws/crmsync.py).
        Fault(
            "crmsync.shrink_sets",
            "crmsync",
            "The sync overwrites hhl_enrolled_courses instead of unioning",
            ("crm.sync.never_shrinks",),
        ),
        Fault(
            "crmsync.ignore_retry_after",
            "crmsync",
            "A 429 is retried after the ordinary backoff, whatever Retry-After says",
            ("crm.sync.retries",),
        ),
        Fault(
            "crmsync.no_5xx_retry",
            "crmsync",
            "Only 429 is retried: a HubSpot 5xx fails the user's records at once (Lambda retries the batch)",
            ("crm.sync.retries",),
        ),
        Fault(
            "crmsync.empty_milestones_on_create",
            "crmsync",
            'New contacts are created with every milestone property "" (HubSpot rejects empty dates and numbers)',
            ("crm.sync.enrollment_reflected",),
        ),
        Fault(
            "crmsync.unregistered_property",
            "crmsync",
            "The PATCH also carries the seed rollout's total_enrollments, a property the portal does not define",
            ("crm.sync.enrollment_reflected",),
        ),
        Fault(
            "provision.crm_mapping_disabled",
            "provision",
            "The consumer's event source mappings are created with Enabled: false (nothing reaches HubSpot)",
            ("infra.crmsync.mappings",),
        ),
        Fault(
            "provision.crm_no_dlq",
            "provision",
            "No dead-letter queue and no OnFailure destination on the consumer's mappings",
            ("infra.crmsync.dlq",),
        ),
        Fault(
            "provision.crm_token_in_env",
            "provision",
            "The consumer's environment also carries HUBSPOT_TOKEN=<the token> beside the parameter reference",
            ("infra.crmsync.token_by_reference",),
        ),
        Fault(
            "provision.crm_no_alias",
            "provision",
            "No published version and no `live` alias on the consumer; its mappings point at the bare function",
            ("infra.crmsync.function",),
        ),
        Fault(
            "provision.crm_dlq_alarm_wrong_metric",
            "provision",
            "The DLQ-depth alarm watches NumberOfMessagesSent: failures already in the queue never fire it",
            ("infra.crmsync.alarms",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        # The portal the env points at (sandbox/compose_crm.py plants them on the HubSpot stand-in).
        Fault(
            "crm.portal_token_revoked",
            "crm",
            "The private-app token the env hands out (state crm_token) is revoked: the portal accepts another one",
            ("crm.target.portal_identity",),
            verdict="INCONCLUSIVE",  # the crm preflight blocks every crm check
        ),
        Fault(
            "crm.properties_not_provisioned",
            "crm",
            "The portal never ran the property provisioning: no registry property, no learning_milestones group",
            ("crm.properties.exist",),
        ),
        # Issue 9: real weaknesses (SPEC §10 "Known real weaknesses") no check looked for before.
        Fault(
            "backend.jwks_no_refetch",
            "backend",
            "The JWKS is cached for an hour and never refetched on an unknown kid: every login fails after a key "
            "rotation",
            ("security.auth.jwks_rotation",),
        ),
        Fault(
            "backend.logs_secrets",
            "backend",
            "The backend logs the authorize URL (with its state) and the signed-in user's email",
            ("security.logs.no_secrets",),
        ),
        Fault(
            "backend.auth_no_store_missing",
            "backend",
            "/auth/login, /auth/callback and /auth/logout answer without Cache-Control: no-store",
            ("security.cache.no_store",),
            verdict="GO",  # medium: a listed finding under SPEC §11.3
        ),
        Fault(
            "backend.unhashable_event_name",
            "backend",
            'POST /events/track looks up a non-string eventName ({} or []) as a key: 500 {"error":"Internal error"}',
            ("api.fuzz.no_5xx",),
        ),
        Fault(
            "provision.single_version",
            "provision",
            "Only the current function version is published: alias live has no older version to roll back to",
            ("infra.lambda.rollback_ready",),
        ),
    )
}


# Composite faults: `profile:<name>` plants a whole known target at once (`python -m sandbox up --fault
# profile:real-2026-01`). real-2026-01 = SPEC §10 "Known real weaknesses", each as the Jan-2026 Lambda code behaves.
PROFILES: dict[str, tuple[str, ...]] = {
    "profile:real-2026-01": (
        "backend.state_as_jwt",  # HS256 JWT state with the verifier, no txn (verifier_not_exposed, state_bound)
        "backend.no_nonce",  # security.login.nonce
        "backend.idp_errors_500",  # api.callback.bad_code_not_5xx
        "backend.relative_callback_location",  # Jan-2026: api.callback.success, api.callback.idp_error
        "backend.backslash_redirect",  # security.login.open_redirect
        "backend.email_only_login",  # security.auth.no_email_only_login
        "backend.data_ignores_session",  # api.events.persisted, api.enrollments.list, api.progress.*, quiz persisted
        "backend.email_identity",  # security.data.no_email_identity_reads / no_unauthenticated_writes
        "backend.read_modify_write",  # §4.5 real (unobservable here: signed-in events are not recorded at all)
        "backend.quiz_always_passes",  # api.quiz.grading
        "backend.no_silent_refresh",  # Jan-2026: api.me.silent_refresh
        "backend.no_revocation",  # security.logout.revokes_refresh
        "backend.json_as_text_plain",  # api.content_type_json
        "backend.no_nosniff",  # security.headers
        "backend.cookie_domain",  # Jan-2026 Domain (green with the env's cookie_domain: localhost)
        "backend.jwks_no_refetch",  # security.auth.jwks_rotation
        "backend.logs_secrets",  # security.logs.no_secrets
        "backend.auth_no_store_missing",  # security.cache.no_store
        "provision.no_alarm_actions",  # security.ops.alarm_actions
        "provision.no_dashboard",  # security.ops.dashboard
        "provision.default_memory",  # security.ops.explicit_memory_timeout
        "provision.no_alias",  # infra.lambda.alias_live
        "provision.iam_scan_delete",  # security.iam.least_privilege
        # Not planted: the 5xx alarm on `5XXError` (infra.alarms.metrics_emitted is [real]: skipped locally, and the
        # only local observer, infra.alarms.definitions, would turn red where on AWS it is blocked by metrics_emitted).
    ),
}


def expand_faults(names: frozenset[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    """The individual faults `names` stand for: each `profile:*` replaced by its members."""
    return frozenset(member for name in names for member in PROFILES.get(name, (name,)))


def unknown_faults(names: list[str] | tuple[str, ...]) -> list[str]:
    """Names not in the catalog (second-wave faults count as unknown until built); profiles count as known when
    every member is."""
    return [
        n
        for n in names
        if (n not in PROFILES and (n not in FAULTS or FAULTS[n].second_wave))
        or (n in PROFILES and unknown_faults(PROFILES[n]))
    ]
