"""The CRM consumer (SPEC §6 "Second wave", §7): infra.crmsync.function/mappings/dlq/alarms/token_by_reference.

Each rule judges one property; where two could see the same defect, one owns it (SPEC §10): the on-failure
destination is the dlq check's (not the mappings'), the alarms' actions are security.ops.alarm_actions' (it judges
every alarm of the env's prefix), a missing table stream is infra.dynamodb.streams', and a missing consumer (or
one without its alias) is infra.crmsync.function's: the other four declare it in `requires`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from checks.aws.model import Judgement, View, rule
from checks.aws.names import CRM_ALIAS, alarm_name, crm_dlq_name, crm_function_name, crm_token_parameter
from checks.aws.schema import Alias, CrmConsumer, EventSourceMapping, Function, MetricAlarm
from checks.aws.snapshot import ServiceUnavailable

# SPEC §6 "Second wave": what any deployment of the consumer declares.
RUNTIME = "python3.12"
MEMORY_MB = 256
TIMEOUT_S = 60
RETENTION_DAYS = 30
PARTIAL_BATCH = "ReportBatchItemFailures"
GTE = "GreaterThanOrEqualToThreshold"


@dataclass(frozen=True)
class ConsumerAlarm:
    """One of the consumer's three alarms: what it watches and at which value it must fire at the latest."""

    suffix: str
    namespace: str
    metric: str
    statistics: tuple[str, ...]
    fires_at: str  # "one" (the first error / the first message) or "deadline" (iterator age within crm.sync_deadline_s)


CONSUMER_ALARMS = (
    ConsumerAlarm("crm-sync-errors", "AWS/Lambda", "Errors", ("Sum",), "one"),
    ConsumerAlarm("crm-sync-iterator-age", "AWS/Lambda", "IteratorAge", ("Maximum",), "deadline"),
    ConsumerAlarm("crm-sync-dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", ("Maximum", "Sum"), "one"),
)


def consumer(view: View) -> CrmConsumer:
    """The lambda section's `crm` part (collected only while env crm.enabled is true)."""
    crm = view.section("lambda").get("crm")
    if crm is None:
        raise ServiceUnavailable("lambda: the CRM consumer was not collected (env crm.enabled is false)")
    return crm


def consumer_function(view: View) -> Function:
    function = consumer(view).get("function")
    if function is None:
        error = view.error("lambda", "crm:function") or "not found"
        raise ServiceUnavailable(f"lambda {crm_function_name(view.env)}: {error}")
    return function


def _alias(view: View) -> Alias | None:
    return next((a for a in consumer(view).get("aliases") or [] if a.get("Name") == CRM_ALIAS), None)


@rule("infra.crmsync.function", "lambda", "logs", "cloudformation")
def function(view: View, j: Judgement) -> None:
    """The consumer exists: python3.12, Active, alias `live` on a published version; 256 MB / 60 s declared and
    live, and its own log group keeping 30 days. The last two are warnings: for the API function the same
    properties are medium checks (security.ops.explicit_memory_timeout, infra.logs.group), which never block."""
    fn = consumer_function(view)
    name = crm_function_name(view.env)
    j.expect("Runtime", RUNTIME, fn.get("Runtime"))
    j.expect("State", "Active", fn.get("State"))
    j.expect("LastUpdateStatus", "Successful", fn.get("LastUpdateStatus"))
    _sizing(view, j, name, fn)
    j.actual["Handler"] = fn.get("Handler")
    alias = _alias(view)
    j.expected["alias"] = f"{CRM_ALIAS} → a published version"
    if alias is None:
        aliases = sorted(a.get("Name", "") for a in consumer(view).get("aliases") or [])
        j.actual["alias"] = aliases
        j.fail(
            f"{name} has no alias {CRM_ALIAS!r} (aliases: {aliases or view.error('lambda', 'crm:aliases') or 'none'})"
        )
    else:
        version = alias.get("FunctionVersion")
        j.actual["alias"] = f"{CRM_ALIAS} → {version}"
        if not str(version).isdigit():
            j.fail(f"alias {CRM_ALIAS} of {name} points at {version}, not a published version")
    logs = view.section("logs")
    group = logs.get("crm_group")
    j.expected["log group retentionInDays"] = RETENTION_DAYS
    j.actual["log group retentionInDays"] = (group or {}).get("retentionInDays")
    if group is None:
        j.warn(f"log group: {view.error('logs', 'crm:group') or logs.get('crm_log_group_name')}")
    elif group.get("retentionInDays") != RETENTION_DAYS:
        j.warn(f"log group retentionInDays: expected {RETENTION_DAYS}, got {group.get('retentionInDays')}")
    logging = (fn.get("LoggingConfig") or {}).get("LogGroup")
    if logging and logging != logs.get("crm_log_group_name"):
        j.note(f"the function logs to {logging}, not {logs.get('crm_log_group_name')}")


def _sizing(view: View, j: Judgement, name: str, fn: Function) -> None:
    """Memory and timeout as SPEC §6 declares them, both in the deployed template and live (an undeclared value is
    a deployer's default nobody chose, even when it happens to match)."""
    template = view.snapshot.get("cloudformation").get("template")
    functions = template.get("functions", []) if template else []
    declared = next((f for f in functions if f.get("FunctionName") == name), None)
    for prop, wanted in (("MemorySize", MEMORY_MB), ("Timeout", TIMEOUT_S)):
        j.expected[prop] = {"declared": wanted, "live": wanted}
        j.actual[prop] = {"declared": declared.get(prop) if declared else None, "live": fn.get(prop)}
        if fn.get(prop) != wanted:
            j.warn(f"{prop}: expected {wanted}, live {fn.get(prop)}")
        elif declared is not None and declared.get(prop) is None:
            j.warn(f"{prop} not declared in the template (live {fn.get(prop)} = the deployer's default)")
    if declared is None:
        source = (
            (template.get("source") if template else None) or view.error("cloudformation", "template") or "no template"
        )
        j.note(f"the stack's template ({source}) does not declare {name}: sizing judged live only")


def _arn_parts(arn: str) -> tuple[str, str | None]:
    """(function name, qualifier or None) of a Lambda function ARN."""
    parts = str(arn).split(":")
    return (parts[6] if len(parts) > 6 else "", parts[7] if len(parts) > 7 else None)


def consumer_mappings(view: View, j: Judgement, *, strict: bool = True) -> dict[str, list[EventSourceMapping]]:
    """Per table role, the listed stream mappings whose function is the consumer. A role whose listing failed (no
    stream, describe error) is a failure quoting why when `strict`, else a note (the mappings check owns it)."""
    name = crm_function_name(view.env)
    found: dict[str, list[EventSourceMapping]] = {}
    for role, listed in (consumer(view).get("mappings") or {}).items():
        if listed is None:
            why = f"{role} stream: {view.error('lambda', f'crm:mappings:{role}') or 'mappings not listed'}"
            if strict:
                j.fail(why)
            else:
                j.note(why)
            continue
        found[role] = [m for m in listed if _arn_parts(m.get("FunctionArn", ""))[0] == name]
    if not found and strict and not j.failures:
        j.fail("no table stream to judge (the dynamodb section named no tables)")
    return found


@rule("infra.crmsync.mappings", "lambda")
def mappings(view: View, j: Judgement) -> None:
    """Exactly one Enabled mapping from each of the four table streams to the consumer's alias `live`, with partial
    batch responses, bisect on error and a bounded retry count."""
    name = crm_function_name(view.env)
    alias = _alias(view)
    behind_alias = alias.get("FunctionVersion") if alias else None
    for role, listed in consumer_mappings(view, j).items():
        enabled = [m for m in listed if m.get("State") == "Enabled"]
        states = [m.get("State") for m in listed]
        j.expect(
            f"{role} stream mappings",
            f"one Enabled mapping to {name}:{CRM_ALIAS}",
            states,
            ok=len(enabled) == 1,
            detail=f"expected one Enabled mapping to {name}, got states {states or 'none'}"
            + (" (two deliver every record twice)" if len(enabled) > 1 else ""),
        )
        for mapping in enabled[:1] or listed[:1]:
            _judge_mapping(view, j, role, mapping, behind_alias)


def _judge_mapping(view: View, j: Judgement, role: str, m: EventSourceMapping, behind_alias: str | None) -> None:
    qualifier = _arn_parts(m.get("FunctionArn", ""))[1]
    moto_gap = view.env.kind == "local" and qualifier is not None and qualifier == behind_alias
    if behind_alias is None:
        # No alias to map to: infra.crmsync.function's failure (one root cause, one red check).
        j.actual[f"{role} qualifier"] = qualifier
        j.note(f"{role}: the consumer has no alias {CRM_ALIAS} (infra.crmsync.function)")
    else:
        j.expect(f"{role} qualifier", CRM_ALIAS, qualifier, ok=qualifier == CRM_ALIAS or moto_gap)
    if moto_gap:
        # moto 5.2 reports a mapping made on an alias ARN with the version behind it; AWS keeps the alias.
        j.note(f"{role}: moto reports the version behind {CRM_ALIAS} ({qualifier}) as the mapping's function")
    types = m.get("FunctionResponseTypes") or []
    j.expect(f"{role} FunctionResponseTypes", f"contains {PARTIAL_BATCH}", types, ok=PARTIAL_BATCH in types)
    j.expect(f"{role} BisectBatchOnFunctionError", True, m.get("BisectBatchOnFunctionError") is True)
    retries = m.get("MaximumRetryAttempts")
    j.expect(
        f"{role} MaximumRetryAttempts",
        "bounded (0..10000, not -1)",
        retries,
        ok=isinstance(retries, int) and retries >= 0,
        detail=f"{retries!r}: unbounded, a poison record blocks the shard until it expires",
    )
    j.actual[f"{role} batching"] = {
        k: m.get(k) for k in ("BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition")
    }


@rule("infra.crmsync.dlq", "lambda", "sqs")
def dlq(view: View, j: Judgement) -> None:
    """Every consumer mapping sends exhausted records to an SQS queue that exists and is empty (counts only)."""
    sqs = view.section("sqs")
    queues = sqs.get("queues") or {}
    judged: set[str] = set()
    listed = [(role, m) for role, ms in consumer_mappings(view, j, strict=False).items() for m in ms]
    for role, m in listed:
        destination = ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        ok = bool(destination) and str(destination).split(":")[2:3] == ["sqs"]
        j.expect(
            f"{role} OnFailure",
            "an SQS queue ARN",
            destination,
            ok=ok,
            detail=f"{destination or 'none'}: records that exhaust their retries are dropped",
        )
        if ok:
            judged.add(str(destination).split(":")[5])
    if not listed:
        j.note("no consumer mapping names a destination (infra.crmsync.mappings): the env's DLQ is judged by name")
    dlq_name = crm_dlq_name(view.env)
    if dlq_name not in judged and judged:
        j.note(f"the mappings send failures to {sorted(judged)}, not {dlq_name}")
    for name in sorted(judged or {dlq_name}):
        queue = queues.get(name)
        if queue is None:
            j.fail(f"queue {name}: {view.error('sqs', f'queue:{name}') or 'not described'}")
            continue
        visible = queue.get("ApproximateNumberOfMessages")
        j.expect(
            f"{name} ApproximateNumberOfMessages",
            0,
            visible,
            detail=f"{visible} failed record batch(es) waiting: inspect and redrive them",
        )
        in_flight = queue.get("ApproximateNumberOfMessagesNotVisible") or 0
        j.actual[f"{name} ApproximateNumberOfMessagesNotVisible"] = in_flight
        if in_flight:
            j.warn(f"{name}: {in_flight} message(s) in flight (someone is reading the DLQ)")


def _fires_at(alarm: MetricAlarm) -> float | None:
    """The lowest value that breaches: `>= t` fires at t, `> t` at the next whole unit; other operators never
    fire on a rising count."""
    threshold, operator = alarm.get("Threshold"), alarm.get("ComparisonOperator")
    if threshold is None:
        return None
    if operator == GTE:
        return float(threshold)
    if operator == "GreaterThanThreshold":
        return float(math.floor(threshold) + 1)
    return None


@rule("infra.crmsync.alarms", "cloudwatch")
def alarms(view: View, j: Judgement) -> None:
    """Three alarms: consumer Errors (at the first error), IteratorAge (within the env's sync deadline), DLQ depth
    (at the first message), with the consumer's or the DLQ's dimensions and DatapointsToAlarm = EvaluationPeriods."""
    env = view.env
    found = view.item("cloudwatch", "alarms")
    fn = crm_function_name(env)
    deadline_ms = float(env.crm.sync_deadline_s * 1000)
    for spec in CONSUMER_ALARMS:
        name = alarm_name(env, spec.suffix)
        alarm = found.get(name)
        if alarm is None:
            j.fail(f"alarm {name} not found")
            continue
        dims = {d.get("Name"): d.get("Value") for d in alarm.get("Dimensions", [])}
        if spec.namespace == "AWS/SQS":
            want_dims = {"QueueName": crm_dlq_name(env)}
        else:
            # The function's metrics, or those of its `live` alias (Resource): both are the consumer's.
            want_dims = {"FunctionName": fn} | ({"Resource": f"{fn}:{CRM_ALIAS}"} if "Resource" in dims else {})
        limit = 1.0 if spec.fires_at == "one" else deadline_ms
        fires_at = _fires_at(alarm)
        expected = {
            "metric": f"{spec.namespace} {spec.metric}",
            "Dimensions": want_dims,
            "Statistic": " or ".join(spec.statistics),
            "fires at": f"<= {limit:g}" if spec.fires_at == "deadline" else f"{limit:g}",
            "DatapointsToAlarm": alarm.get("EvaluationPeriods"),
        }
        actual = {
            "metric": f"{alarm.get('Namespace')} {alarm.get('MetricName')}",
            "Dimensions": dims,
            "Statistic": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
            "fires at": fires_at,
            "DatapointsToAlarm": alarm.get("DatapointsToAlarm"),
        }
        wrong = [k for k in ("metric", "Dimensions", "DatapointsToAlarm") if expected[k] != actual[k]]
        if actual["Statistic"] not in spec.statistics:
            wrong.append("Statistic")
        if fires_at is None or (fires_at > limit if spec.fires_at == "deadline" else fires_at != limit):
            wrong.append("fires at")
        detail = ", ".join(f"{k} expected {expected[k]!r}, got {actual[k]!r}" for k in wrong)
        j.expect(name, expected, actual, ok=not wrong, detail=detail)
        j.actual[f"{name} AlarmActions"] = alarm.get("AlarmActions") or []
    j.note("alarm actions on the SNS topic: security.ops.alarm_actions (it judges every alarm of the prefix)")


@rule("infra.crmsync.token_by_reference", "lambda", "ssm", "secretsmanager")
def token_by_reference(view: View, j: Judgement) -> None:
    """The consumer's environment holds no token value and names an SSM parameter or secret that exists."""
    environment = consumer_function(view).get("Environment") or {}
    token_values = environment.get("token_values") or []
    references = environment.get("references") or {}
    j.expect(
        "variables holding a token value",
        [],
        token_values,
        detail=f"{token_values} hold a value, not a reference: move it to SSM (SecureString) or Secrets Manager",
    )
    j.expected["references"] = "an SSM parameter or Secrets Manager secret"
    j.actual["references"] = {name: f"{r['service']}:{r['id']}" for name, r in sorted(references.items())}
    if not references:
        j.fail("the consumer's environment names no SSM parameter or Secrets Manager secret for the HubSpot token")
    parameters = view.section("ssm").get("parameters") or {}
    secrets = view.section("secretsmanager").get("secrets") or {}
    for variable, reference in sorted(references.items()):
        service, ident = reference["service"], reference["id"]
        if service == "ssm":
            found = parameters.get(ident)
            if found is None:
                j.fail(f"{variable}: {view.error('ssm', f'parameter:{ident}') or view.error('ssm', 'parameters')}")
            elif found.get("Type") != "SecureString":
                j.warn(f"{variable}: parameter {ident} is a {found.get('Type')}, not a SecureString")
        else:
            secret = secrets.get(ident)
            if secret is None or secret.get("DeletedDate"):
                j.fail(f"{variable}: {view.error('secretsmanager', f'secret:{ident}') or f'secret {ident} deleted'}")
    expected = crm_token_parameter(view.env)
    if references and not any(r["id"] == expected for r in references.values()):
        j.note(f"the env's token parameter {expected} is not the one the consumer names")
