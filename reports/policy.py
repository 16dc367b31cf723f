"""The gate policy of SPEC §11.3 as data: an ordered list of rules, each a predicate over the run's facts.

A rule's predicate returns the subjects it fired on (check ids, files, areas); an empty list means it did not
fire. The verdict is that of the most severe fired rule, GO when none fired. Each fired rule becomes one
`verdict_reasons` line: `<rule id>: <description>: <subjects>`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.verdicts import GO, INCONCLUSIVE, NO_GO, worst
from reports.waivers import is_target_check

EXECUTED_STATUSES = ("passed", "failed", "warning", "waived")
NOT_RUN_STATUSES = ("error", "blocked", "skipped")
BLOCKING_SEVERITIES = ("critical", "high")
# Checks whose failure means an alarm is in ALARM (SPEC §10: infra.alarms.state; load.alarms_quiet_after after load).
ALARM_STATE_CHECKS = ("infra.alarms.state", "load.alarms_quiet_after")
SCOPE_BY_KIND = {"local": "local", "aws": "real"}


@dataclass
class Facts:
    """Everything the policy judges. `checks` are results.json check dicts (waivers already applied)."""

    checks: list[Mapping[str, Any]]
    env_kind: str
    required_areas: Sequence[str] = ()
    disabled_areas: Sequence[str] = ()
    scopes: Mapping[str, str] = field(default_factory=dict)  # check id → all | local | real (from the catalog)
    manifest_problems: list[str] = field(default_factory=list)
    redaction_hits: list[str] = field(default_factory=list)
    selfcheck_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    id: str
    verdict: str
    description: str
    fired_on: Callable[[Facts], list[str]]


@dataclass(frozen=True)
class Decision:
    verdict: str
    reasons: list[str]
    fired: list[str]  # rule ids


def _base(check: Mapping[str, Any]) -> str:
    return str(check.get("check_id") or str(check["id"]).split("[", 1)[0])


def _applicable(check: Mapping[str, Any], facts: Facts) -> bool:
    """Scope matches the env kind and the area is not switched off (unknown scope → applicable: fail closed)."""
    scope = facts.scopes.get(_base(check), "all")
    if scope != "all" and scope != SCOPE_BY_KIND.get(facts.env_kind):
        return False
    return check["area"] not in facts.disabled_areas or check["area"] in facts.required_areas


def _targets_not_passed(facts: Facts) -> list[str]:
    # A target skipped as not applicable (area switched off, other env kind) proves nothing either way.
    return [
        f"{c['id']} ({c['status']})"
        for c in facts.checks
        if is_target_check(_base(c)) and c["status"] != "passed" and (c["status"] != "skipped" or _applicable(c, facts))
    ]


def _critical_not_run(facts: Facts) -> list[str]:
    return [
        f"{c['id']} ({c['status']})"
        for c in facts.checks
        if c["severity"] == "critical" and c["status"] in NOT_RUN_STATUSES and _applicable(c, facts)
    ]


def _required_area_empty(facts: Facts) -> list[str]:
    return [
        area
        for area in facts.required_areas
        if not any(c["area"] == area and c["status"] in EXECUTED_STATUSES for c in facts.checks)
    ]


def _nothing_executed(facts: Facts) -> list[str]:
    return [] if any(c["status"] in EXECUTED_STATUSES for c in facts.checks) else ["no check executed"]


def _blocking_failures(facts: Facts) -> list[str]:
    return [
        f"{c['id']} ({c['severity']})"
        for c in facts.checks
        if c["status"] == "failed" and c["severity"] in BLOCKING_SEVERITIES
    ]


def _alarm_in_alarm(facts: Facts) -> list[str]:
    return [c["id"] for c in facts.checks if c["status"] == "failed" and _base(c) in ALARM_STATE_CHECKS]


POLICY: tuple[Rule, ...] = (
    Rule("preflight", INCONCLUSIVE, "a *.target.* preflight check did not pass", _targets_not_passed),
    Rule(
        "critical-not-run",
        INCONCLUSIVE,
        "a critical check applicable to this environment ended error, blocked or skipped",
        _critical_not_run,
    ),
    Rule("required-area-empty", INCONCLUSIVE, "a required area executed no check", _required_area_empty),
    Rule("nothing-executed", INCONCLUSIVE, "the run executed no check at all", _nothing_executed),
    Rule("manifest", INCONCLUSIVE, "an artifact is missing or its hash differs", lambda f: list(f.manifest_problems)),
    Rule("redaction", INCONCLUSIVE, "the redaction scan found a live secret", lambda f: list(f.redaction_hits)),
    Rule(
        "count-self-check",
        INCONCLUSIVE,
        "a rendered count table differs from results.json",
        lambda f: list(f.selfcheck_problems),
    ),
    Rule("blocking-failure", NO_GO, "a critical or high check failed (unwaived)", _blocking_failures),
    Rule("alarm-in-alarm", NO_GO, "an alarm is in ALARM", _alarm_in_alarm),
)


def decide(facts: Facts, policy: Sequence[Rule] = POLICY) -> Decision:
    """Evaluate every rule (all fired rules are reported, not just the first) and combine their verdicts."""
    verdict, reasons, fired = GO, [], []
    for rule in policy:
        subjects = rule.fired_on(facts)
        if subjects:
            verdict = worst(verdict, rule.verdict)
            reasons.append(f"{rule.id}: {rule.description}: {', '.join(subjects)}")
            fired.append(rule.id)
    if verdict == GO:
        findings = [c["id"] for c in facts.checks if c["status"] in ("failed", "warning")]
        reasons.append(
            "go: no gate rule fired" + (f"; open medium/low findings: {', '.join(findings)}" if findings else "")
        )
    return Decision(verdict, reasons, fired)


def disabled_areas(environment: Mapping[str, Any]) -> list[str]:
    """Areas the env file switches off: today only CRM (`crm.enabled: false`), whose checks are then not applicable."""
    crm = environment.get("crm") or {}
    return ["crm"] if isinstance(crm, Mapping) and crm.get("enabled") is False else []


def build_facts(
    checks: list[Mapping[str, Any]], environment: Mapping[str, Any], scopes: Mapping[str, str], **integrity: list[str]
) -> Facts:
    """Facts from results.json-shaped checks and the env dict; `integrity` = manifest/redaction/self-check problems."""
    return Facts(
        checks=checks,
        env_kind=str(environment.get("kind", "")),
        required_areas=list(environment.get("required_areas") or []),
        disabled_areas=disabled_areas(environment),
        scopes=scopes,
        **integrity,
    )
