"""The gate policy of SPEC §11.3 as data: an ordered list of rules, each a predicate over the run's facts.

The facts hold the recorded outcomes **and the reference set**: the catalog checks applicable to the env kind,
the enabled areas and the run's scope (`full`, or `smoke` = the `smoke: true` entries), never just the items
pytest happened to collect. A reference check with no result at all (deselected by -k/-m/paths, not collected,
cut short) makes the run PARTIAL; a critical one makes it INCONCLUSIVE, as does an interrupted run.

A rule's predicate returns the subjects it fired on (check ids, files, areas); an empty list means it did not
fire. The verdict is that of the most severe fired rule, GO when none fired. Each fired rule becomes one
`verdict_reasons` line: `<rule id>: <description>: <subjects>` (at most MAX_SUBJECTS named, then `+N more`).
Informational lines follow: waived critical/high findings (`waived: ...`) and the ids a partial run did not run
(`partial: ...`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checks.vocabulary import RUN_SCOPES, SCOPE_BY_KIND, SEVERITIES, base_id, is_preflight
from reports.verdicts import GO, INCONCLUSIVE, NO_GO, dominant
from reports.waivers import waiver_config_errors

EXECUTED_STATUSES = ("passed", "failed", "warning", "waived")
NOT_RUN_STATUSES = ("error", "blocked", "skipped")
FINDING_STATUSES = ("failed", "warning")
BLOCKING_SEVERITIES = ("critical", "high")
# Checks whose failure means an alarm is in ALARM (SPEC §10: infra.alarms.state; load.alarms_quiet_after after load).
ALARM_STATE_CHECKS = ("infra.alarms.state", "load.alarms_quiet_after")
MAX_SUBJECTS = 10
DID_NOT_RUN = "did not run"


class SpecLike(Protocol):
    """What the policy reads of a catalog entry (checks.catalog.CheckSpec, frozen): read-only members, so that an
    entry with narrower (Literal) fields matches."""

    @property
    def id(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def writes(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def smoke(self) -> bool: ...


@dataclass
class Facts:
    """Everything the policy judges. `checks` are results.json check dicts (waivers already applied)."""

    checks: Sequence[Mapping[str, Any]]
    env_kind: str
    catalog: Mapping[str, SpecLike] = field(default_factory=dict)
    run_scope: str = "full"
    interrupted: str = ""
    required_areas: Sequence[str] = ()
    disabled_areas: Sequence[str] = ()
    waiver_problems: list[str] = field(default_factory=list)
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
class Partial:
    """A run whose selection is smaller than its scope, or that was cut short (SPEC §11.3 "PARTIAL RUN")."""

    reference: int  # size of the reference set
    not_run: tuple[str, ...]  # reference check ids with no result, in catalog order
    interrupted: str = ""
    scope: str = "full"

    @property
    def line(self) -> str:
        text = f"PARTIAL RUN: {len(self.not_run)} of {self.reference} reference checks not run"
        return text + (f" (interrupted: {self.interrupted})" if self.interrupted else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "scope": self.scope,
            "reference": self.reference,
            "not_run": len(self.not_run),
            "ids": list(self.not_run),
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True)
class Decision:
    verdict: str
    reasons: list[str]
    fired: list[str]  # rule ids
    partial: Partial | None = None
    reference: int = 0  # size of the reference set

    @property
    def partial_line(self) -> str:
        return self.partial.line if self.partial else ""


def _in_area(spec: SpecLike, facts: Facts) -> bool:
    return spec.area not in facts.disabled_areas or spec.area in facts.required_areas


def applicable(spec: SpecLike, facts: Facts) -> bool:
    """Catalog scope matches the env kind, fault injection only on local, and the area is not switched off."""
    if spec.scope != "all" and spec.scope != SCOPE_BY_KIND.get(facts.env_kind):
        return False
    if spec.writes == "fault" and facts.env_kind != "local":
        return False
    return _in_area(spec, facts)


def reference_set(facts: Facts) -> dict[str, SpecLike]:
    """The checks this run must cover (SPEC §11.3), in catalog order. An unknown run scope counts as full."""
    smoke = facts.run_scope == "smoke"
    return {cid: spec for cid, spec in facts.catalog.items() if applicable(spec, facts) and (spec.smoke or not smoke)}


def _recorded_ids(facts: Facts) -> set[str]:
    return {base_id(c) for c in facts.checks}


def not_run(facts: Facts) -> list[str]:
    """Reference check ids with no result at all (a parametrized `id[param]` result counts for its base id)."""
    recorded = _recorded_ids(facts)
    return [cid for cid in reference_set(facts) if cid not in recorded]


def partial(facts: Facts) -> Partial | None:
    missing = not_run(facts)
    if not missing and not facts.interrupted:
        return None
    return Partial(len(reference_set(facts)), tuple(missing), facts.interrupted, facts.run_scope)


def _counts(check: Mapping[str, Any], facts: Facts) -> bool:
    """Whether a recorded result is judged: in the reference set, or unknown to the catalog (fail closed)."""
    spec = facts.catalog.get(base_id(check))
    if spec is None:
        return check["area"] not in facts.disabled_areas or check["area"] in facts.required_areas
    return base_id(check) in reference_set(facts)


def _targets_not_passed(facts: Facts) -> list[str]:
    # A target skipped as not applicable (area switched off, other env kind) proves nothing either way.
    return [
        f"{c['id']} ({c['status']})"
        for c in facts.checks
        if is_preflight(base_id(c)) and c["status"] != "passed" and (c["status"] != "skipped" or _counts(c, facts))
    ]


def _critical_not_run(facts: Facts) -> list[str]:
    return [
        f"{c['id']} ({c['status']})"
        for c in facts.checks
        if c["severity"] == "critical" and c["status"] in NOT_RUN_STATUSES and _counts(c, facts)
    ]


def _critical_did_not_run(facts: Facts) -> list[str]:
    ref = reference_set(facts)
    return [f"{cid} ({DID_NOT_RUN})" for cid in not_run(facts) if ref[cid].severity == "critical"]


def _interrupted(facts: Facts) -> list[str]:
    return [facts.interrupted] if facts.interrupted else []


def _unknown_scope(facts: Facts) -> list[str]:
    return [] if facts.run_scope in RUN_SCOPES else [f"scope {facts.run_scope!r} is not one of {', '.join(RUN_SCOPES)}"]


def _empty_reference(facts: Facts) -> list[str]:
    return [] if reference_set(facts) else [f"{facts.run_scope} scope on kind {facts.env_kind or '<none>'}"]


def _required_area_empty(facts: Facts) -> list[str]:
    # A smoke scope covers only the areas its `smoke: true` entries belong to; a full scope covers every required one.
    in_scope = {spec.area for spec in reference_set(facts).values()}
    return [
        area
        for area in facts.required_areas
        if (facts.run_scope != "smoke" or area in in_scope)
        and not any(c["area"] == area and c["status"] in EXECUTED_STATUSES for c in facts.checks)
    ]


def _nothing_executed(facts: Facts) -> list[str]:
    return [] if any(c["status"] in EXECUTED_STATUSES for c in facts.checks) else ["no check executed"]


def _blocking_failures(facts: Facts) -> list[str]:
    # A failed preflight is the environment's misconfiguration (rule `preflight`, INCONCLUSIVE), not a defect of
    # the system: its dependants are blocked, so every failure counted here had its prerequisites pass.
    return [
        f"{c['id']} ({c['severity']})"
        for c in facts.checks
        if c["status"] == "failed" and c["severity"] in BLOCKING_SEVERITIES and not is_preflight(base_id(c))
    ]


def _alarm_in_alarm(facts: Facts) -> list[str]:
    return [c["id"] for c in facts.checks if c["status"] == "failed" and base_id(c) in ALARM_STATE_CHECKS]


POLICY: tuple[Rule, ...] = (
    Rule("interrupted", INCONCLUSIVE, "the run was interrupted before it finished", _interrupted),
    Rule("unknown-scope", INCONCLUSIVE, "the run's scope is not one the catalog defines", _unknown_scope),
    Rule("empty-reference-set", INCONCLUSIVE, "the catalog has no check for this scope", _empty_reference),
    Rule("preflight", INCONCLUSIVE, "a *.target.* preflight check did not pass", _targets_not_passed),
    Rule(
        "critical-not-run",
        INCONCLUSIVE,
        "a critical check of the reference set ended error, blocked or skipped",
        _critical_not_run,
    ),
    Rule(
        "critical-did-not-run",
        INCONCLUSIVE,
        "a critical check of the reference set has no result (deselected by -k/-m/paths, not collected, or cut short)",
        _critical_did_not_run,
    ),
    Rule("required-area-empty", INCONCLUSIVE, "a required area executed no check", _required_area_empty),
    Rule("nothing-executed", INCONCLUSIVE, "the run executed no check at all", _nothing_executed),
    Rule(
        "waiver-config",
        INCONCLUSIVE,
        "a waiver names no catalog check (configuration error)",
        lambda f: list(f.waiver_problems),
    ),
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


def capped(subjects: Sequence[str], limit: int = MAX_SUBJECTS) -> str:
    """`a, b, c` naming at most `limit` subjects, then `+N more`."""
    shown = ", ".join(subjects[:limit])
    return shown + (f", +{len(subjects) - limit} more" if len(subjects) > limit else "")


def severity_rank(check: Mapping[str, Any]) -> int:
    severity = str(check.get("severity", ""))
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def by_severity(checks: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Checks grouped by their real severity, most severe first; unknown severities last (never dropped)."""
    names = list(SEVERITIES) + sorted({str(c.get("severity", "")) for c in checks} - set(SEVERITIES))
    groups = [(name, [c for c in checks if str(c.get("severity", "")) == name]) for name in names]
    return [(name, items) for name, items in groups if items]


def open_findings(checks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failed and warning outcomes, most severe first (a high warning is a high finding)."""
    return sorted((c for c in checks if c["status"] in FINDING_STATUSES), key=severity_rank)


def waived_blocking(checks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Waived critical/high findings: listed among the verdict reasons and in the confirmation's risk statement."""
    return [c for c in checks if c["status"] == "waived" and c["severity"] in BLOCKING_SEVERITIES]


def waived_line(check: Mapping[str, Any]) -> str:
    waiver = check.get("waiver") or {}
    return (
        f"waived: {check['id']} ({check['severity']}) waived by {waiver.get('owner', '<no owner>')} "
        f"until {waiver.get('expires', '<no expiry>')}: {waiver.get('reason', '<no reason>')}"
    )


def _findings_line(checks: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for severity, items in by_severity(open_findings(checks)):
        parts.append(f"{severity}: " + capped([f"{c['id']} ({c['status']})" for c in items]))
    return "; ".join(parts)


def decide(facts: Facts, policy: Sequence[Rule] = POLICY) -> Decision:
    """Evaluate every rule (all fired rules are reported, not just the first) and combine their verdicts."""
    verdict, reasons, fired = GO, [], []
    for rule in policy:
        subjects = rule.fired_on(facts)
        if subjects:
            verdict = dominant(verdict, rule.verdict)
            reasons.append(f"{rule.id}: {rule.description}: {capped(subjects)}")
            fired.append(rule.id)
    if verdict == GO:
        findings = _findings_line(facts.checks)
        line = "go: no gate rule fired"
        if facts.run_scope != "full":
            line += f" ({facts.run_scope} scope: {len(reference_set(facts))} reference checks)"
        reasons.append(line + (f"; open findings by severity: {findings}" if findings else ""))
    reasons += [waived_line(c) for c in waived_blocking(facts.checks)]
    part = partial(facts)
    if part and part.not_run:
        reasons.append(f"partial: {part.line}: {capped(list(part.not_run))}")
    return Decision(verdict, reasons, fired, part, len(reference_set(facts)))


def disabled_areas(environment: Mapping[str, Any]) -> list[str]:
    """Areas the env file switches off: today only CRM (`crm.enabled: false`), whose checks are then not applicable."""
    crm = environment.get("crm") or {}
    return ["crm"] if isinstance(crm, Mapping) and crm.get("enabled") is False else []


def build_facts(
    checks: Sequence[Mapping[str, Any]],
    environment: Mapping[str, Any],
    catalog: Mapping[str, SpecLike],
    run: Mapping[str, Any] | None = None,
    **integrity: list[str],
) -> Facts:
    """Facts from results.json-shaped checks, the env dict, the catalog and results.json's `run` (scope,
    interrupted); `integrity` = manifest/redaction/self-check problems. Waiver errors come from the env dict."""
    run = run or {}
    return Facts(
        checks=checks,
        env_kind=str(environment.get("kind", "")),
        catalog=catalog,
        run_scope=str(run.get("scope") or "full"),
        interrupted=str(run.get("interrupted") or ""),
        required_areas=list(environment.get("required_areas") or []),
        disabled_areas=disabled_areas(environment),
        waiver_problems=waiver_config_errors(environment.get("waivers") or [], catalog),
        **integrity,
    )
