"""checks/aws/rules/logs_alarms.py (logs and alarms): each rule on a hand-edited copy of the healthy snapshot; one
defect per case must give the stated outcome (with tests/checks/aws/test_against_moto.py: every check can fail)."""

from __future__ import annotations

import copy

import pytest

from checks.aws import evaluate
from tests.checks.aws.rules.cases import Case, alarm, as_aws, assert_outcome, cases
from tests.checks.aws.stack import StaticSnapshot

CASES: list[Case] = [
    (
        "infra.alarms.definitions",
        "datapoints differ",
        lambda s, e: alarm(s, "lambda-throttles").update(DatapointsToAlarm=1),
        "failed",
        "DatapointsToAlarm",
    ),
    (
        "infra.alarms.definitions",
        "REST metric name (real)",
        lambda s, e: alarm(s, "httpapi-5xx").update(MetricName="5XXError"),
        "failed",
        "5XXError",
    ),
    (
        "infra.alarms.definitions",
        "composite ANDs",
        lambda s, e: s["cloudformation"]["template"]["composite_alarms"][0].update(
            AlarmRule=s["cloudformation"]["template"]["composite_alarms"][0]["AlarmRule"].replace(" OR ", " AND ", 1)
        ),
        "failed",
        "not a plain OR",
    ),
    ("infra.alarms.definitions", "real, composite missing", as_aws, "failed", "composite alarm"),
    (
        "infra.alarms.state",
        "insufficient data, notBreaching",
        lambda s, e: alarm(s, "httpapi-5xx").update(StateValue="INSUFFICIENT_DATA"),
        "warning",
        "INSUFFICIENT_DATA",
    ),
]


@pytest.mark.parametrize(("check_id", "mutate", "status", "fragment"), cases(CASES))
def test_defect_gives_expected_outcome(healthy, check_id, mutate, status, fragment):
    assert_outcome(healthy, check_id, mutate, status, fragment)


def test_metrics_emitted_passes_when_every_alarmed_metric_is_listed(healthy):
    env, sections, _ = healthy
    sections = copy.deepcopy(sections)
    sections["cloudwatch"]["metrics_listed"] = dict.fromkeys(sections["cloudwatch"]["alarms"], True)
    assert evaluate(StaticSnapshot(sections, env), "infra.alarms.metrics_emitted").status == "passed"
    # The real 5xx alarm watches the REST metric 5XXError, which an HTTP API never publishes (SPEC §6).
    sections["cloudwatch"]["metrics_listed"]["hedgehog-learn-local-httpapi-5xx"] = False
    finding = evaluate(StaticSnapshot(sections, env), "infra.alarms.metrics_emitted")
    assert finding.status == "failed"
    assert "httpapi-5xx watches AWS/ApiGateway 5xx" in finding.message
