"""The load suite's helpers can fail: percentiles and the summary from an engine report, the rate budget, the
plan, the named predicates, the load judgement, the throttle judgement (a gateway without throttling is named),
bounded polling, the alarm readers, the event plan and the lost-flag reader. The engine itself against a loopback
server: tests/suites/load/test_load_engine.py."""

from __future__ import annotations

from typing import Any

import pytest

from checks.polling import poll
from suites.load.alarms import alarm_states, in_alarm, transitions_to_alarm
from suites.load.expect import load_problems
from suites.load.pacing import Pacer
from suites.load.plan import Call, EngineSettings, LoadPlan, PacerState
from suites.load.predicates import THROTTLED, Answer, failure_kind, predicate
from suites.load.runner import LoadResult
from suites.load.stats import counts_agree, percentile, summarize
from suites.load.test_load_concurrency import lost_flags, module_event_calls
from suites.load.throttle import throttle_problems


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# --- statistics ---------------------------------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 201)]  # 1..200 shuffled order must not matter
    assert percentile(list(reversed(values)), 95) == 190.0
    assert percentile(values, 50) == 100.0
    assert percentile(values, 100) == 200.0
    assert percentile([7.0], 95) == 7.0
    # One slow request in 20 is the p95; two in 20 push it over.
    assert percentile([10.0] * 19 + [2000.0], 95) == 10.0
    assert percentile([10.0] * 18 + [2000.0] * 2, 95) == 2000.0


@pytest.mark.parametrize(("values", "q"), [([], 95), ([1.0], 0), ([1.0], 101)])
def test_percentile_refuses_meaningless_input(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def _locust(count: int, failures: int = 0, p95: float = 100.0) -> dict[str, Any]:
    return {"count": count, "failures": failures, "p50_ms": 50.0, "p95_ms": p95, "p99_ms": p95, "max_ms": p95}


def _raw(
    statuses: dict[str, int],
    kinds: dict[str, int] | None = None,
    *,
    p95: float = 100.0,
    not_sent: int = 0,
    excerpts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An engine report of one label `r`, as suites/load/engine.py writes it."""
    count, failures = sum(statuses.values()), sum((kinds or {}).values())
    figures = _locust(count, failures, p95)
    return {
        "locust": {"all": figures, "by_label": {"r": figures}},
        "failure_kinds": {"r": kinds or {}},
        "statuses": {"r": statuses},
        "failure_excerpts": excerpts or [],
        "transcripts": [],
        "not_sent": not_sent,
        "pacer_tokens": None,
        "concurrency": 10,
        "elapsed_s": 2.0,
        "engine": {"runner": "local", "workers": 0},
    }


def test_summary_counts_statuses_and_reads_locust_figures() -> None:
    raw = _raw({"200": 2, "503": 1, "429": 1, "0": 1}, {"5xx": 1, "429": 1, "no answer": 1})
    summary = summarize(raw)
    figures = summary["all"]
    assert figures["statuses"] == {"0": 1, "200": 2, "429": 1, "503": 1}
    assert (figures["server_errors"], figures["throttled"], figures["no_answer"], figures["failures"]) == (1, 1, 1, 3)
    assert figures["failure_kinds"] == {"no answer": 1, "5xx": 1, "429": 1}
    assert (figures["p95_ms"], figures["p99_ms"]) == (100.0, 100.0)
    assert summary["achieved_rps"] == 2.5 and counts_agree(summary)
    empty = summarize(_raw({}))
    assert empty["all"]["p95_ms"] is None and empty["by_label"]["r"]["max_ms"] is None


def test_counts_disagree_when_the_tally_misses_requests() -> None:
    raw = _raw({"200": 5})
    raw["locust"]["all"] = _locust(6)
    assert not counts_agree(summarize(raw))


# --- rate budget --------------------------------------------------------------------------------------------------


def test_pacer_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(3, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.acquire()
    assert clock.now == 0.0
    pacer.acquire()  # the 4th waits one refill: 1/10 s
    assert clock.now == pytest.approx(0.1)
    pacer.reserve(50)  # capped at the burst: 3 tokens, 0.3 s
    assert clock.now == pytest.approx(0.4)


def test_pacer_hands_its_budget_to_the_engine_and_takes_it_back() -> None:
    clock = FakeClock()
    pacer = Pacer(60, 80.0, clock=clock, sleep=clock.sleep)
    pacer.reserve(20)
    state = pacer.snapshot()
    assert state == PacerState(60.0, 80.0, 40.0)
    assert state.share(2) == PacerState(30.0, 40.0, 20.0)
    resumed = Pacer.resume(PacerState(0.5, 1.0, 0.25))  # a worker's share under one token still sends
    assert resumed.snapshot().burst == 1.0
    pacer.settle(0.0)  # the engine emptied the bucket: the next request waits for one refill
    pacer.acquire()
    assert clock.slept == [pytest.approx(1 / 80)]
    with pytest.raises(ValueError):
        Pacer(0, 10.0)


# --- the plan -----------------------------------------------------------------------------------------------------


def _plan(**overrides: Any) -> LoadPlan:
    calls = [Call(f"c{i}", "POST", "/events/track", json={"n": i}) for i in range(5)]
    fields: dict[str, Any] = {"concurrency": 3, "accept": "ok", "cookies": {"hhl_access_token": "t"}}
    return LoadPlan("http://127.0.0.1:1", calls, **(fields | overrides))


def test_plan_round_trips_and_slices_per_worker() -> None:
    plan = _plan(pacer=PacerState(60, 80, 60), engine=EngineSettings(workers=2))
    assert LoadPlan.from_json(plan.to_json()) == plan
    first, second = plan.slice(0, 2), plan.slice(1, 2)
    assert [c.label for c in first.calls] == ["c0", "c2", "c4"] and [c.label for c in second.calls] == ["c1", "c3"]
    assert (first.concurrency, second.concurrency) == (2, 1)
    assert first.pacer == PacerState(30, 40, 30)
    assert "hhl_access_token" not in repr(plan)  # the cookies never show in a repr (logs, assertion messages)


@pytest.mark.parametrize(
    "overrides",
    [{"concurrency": 0}, {"deadline_s": 0}, {"engine": EngineSettings(workers=-1)}, {"engine": EngineSettings(4)}],
)
def test_plan_refuses_bad_bounds(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _plan(**overrides)


def test_plan_refuses_what_is_not_a_plan() -> None:
    with pytest.raises(ValueError, match="not a load plan"):
        LoadPlan.from_json('{"base_url": "x"}')


# --- predicates ---------------------------------------------------------------------------------------------------


def test_predicates_judge_status_and_body() -> None:
    signed_in = predicate("signed_in_read")
    assert signed_in(Answer("auth/me", 200, {"userId": "0b5c7a1e-1111-4222-8333-944455556666"}))
    assert not signed_in(Answer("auth/me", 200, {"userId": "anonymous"}))
    assert signed_in(Answer("progress/read", 200, {"mode": "authenticated"}))
    assert not signed_in(Answer("progress/read", 200, {"mode": "anonymous"}))
    assert predicate("persisted")(Answer("e", 200, {"status": "persisted", "mode": "authenticated"}))
    assert not predicate("persisted")(Answer("e", 200, {"status": "logged", "mode": "anonymous"}))
    throttled = predicate("anonymous_me_or_throttled")
    assert throttled(Answer("me", 401, {"error": "Unauthorized: Missing access token"}))
    assert throttled(Answer("me", 429, THROTTLED)) and not throttled(Answer("me", 429, {"error": "slow down"}))
    with pytest.raises(ValueError, match="no load predicate named 'nope'"):
        predicate("nope")


def test_failure_kinds() -> None:
    assert failure_kind(Answer("r", 200, None), accepted=True) is None
    assert failure_kind(Answer("r", 0, None), accepted=True) == "no answer"
    assert failure_kind(Answer("r", 502, None), accepted=False) == "5xx"
    assert failure_kind(Answer("r", 429, None), accepted=False) == "429"
    assert failure_kind(Answer("r", 200, None), accepted=False) == "unexpected answer"


# --- load judgement -----------------------------------------------------------------------------------------------


def _result(raw: dict[str, Any]) -> LoadResult:
    return LoadResult(summarize(raw))


def test_load_judgement_passes_a_healthy_run_and_names_each_defect() -> None:
    assert load_problems(_result(_raw({"200": 20})), p95_ms=1000, expected_count=20) == []
    excerpt = {"label": "r", "request": "GET /r", "status": 200, "kind": "unexpected answer", "answer": "200 {}"}
    cases = {
        "5xx": _raw({"200": 19, "502": 1}, {"5xx": 1}),
        "429": _raw({"200": 19, "429": 1}, {"429": 1}),
        "no answer": _raw({"200": 19, "0": 1}, {"no answer": 1}),
        "unexpected answers (first: r GET /r": _raw({"200": 20}, {"unexpected answer": 1}, excerpts=[excerpt]),
        "p95": _raw({"200": 20}, p95=1100.0),
    }
    for defect, raw in cases.items():
        problems = load_problems(_result(raw), p95_ms=1000, expected_count=20)
        assert any(defect in p for p in problems), (defect, problems)
    cut = load_problems(_result(_raw({"200": 15}, not_sent=5)), p95_ms=1000, expected_count=20)
    assert any("15/20 requests sent" in p for p in cut)
    assert load_problems(_result(cases["p95"]), p95_ms=None, expected_count=20) == []


# --- throttle judgement -------------------------------------------------------------------------------------------


def test_throttle_judgement_names_a_gateway_without_throttling() -> None:
    assert throttle_problems(summarize(_raw({"401": 300, "429": 100}))) == []
    assert any("no 429" in p for p in throttle_problems(summarize(_raw({"401": 400}))))
    crashing = summarize(_raw({"401": 300, "429": 100, "502": 1}, {"5xx": 1}))
    assert any("5xx" in p for p in throttle_problems(crashing))
    wrong_body = summarize(_raw({"401": 1, "429": 1}, {"429": 1}))
    assert any("another body" in p for p in throttle_problems(wrong_body))
    foreign = summarize(_raw({"401": 300, "429": 100, "404": 1}, {"unexpected answer": 1}))
    assert any("neither the route's" in p for p in throttle_problems(foreign))


# --- polling (checks/polling.py, used by the load, CRM and security suites) ---------------------------------------


def test_poll_returns_the_first_truthy_answer_and_is_bounded() -> None:
    clock = FakeClock()
    answers = iter([None, [], ["alarm"]])
    assert poll(lambda: next(answers), timeout_s=10, interval_s=1, clock=clock, sleep=clock.sleep) == (["alarm"], 3)
    clock = FakeClock()
    answer, attempts = poll(lambda: False, timeout_s=2.5, interval_s=1, clock=clock, sleep=clock.sleep)
    assert (answer, attempts, clock.now) == (None, 4, 2.5)


# --- alarms -------------------------------------------------------------------------------------------------------


class _Paginator:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages

    def paginate(self, **_: object) -> list[dict]:
        return self.pages


class _CloudWatch:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages

    def get_paginator(self, _: str) -> _Paginator:
        return _Paginator(self.pages)


def test_alarm_readers_find_alarms_in_alarm_and_history_transitions() -> None:
    pages = [
        {"MetricAlarms": [{"AlarmName": "p-lambda-errors", "StateValue": "ALARM"}]},
        {"MetricAlarms": [{"AlarmName": "p-latency", "StateValue": "OK"}], "CompositeAlarms": []},
        {"CompositeAlarms": [{"AlarmName": "p-api-red", "StateValue": "ALARM"}]},
    ]
    states = alarm_states(_CloudWatch(pages), "p-")
    assert in_alarm(states) == ["p-api-red", "p-lambda-errors"]
    assert in_alarm({"p-a": "OK", "p-b": "INSUFFICIENT_DATA"}) == []
    history = [
        {"AlarmName": "p-5xx", "HistoryItemType": "StateUpdate", "HistorySummary": "Alarm updated from OK to ALARM"},
        {"AlarmName": "p-5xx", "HistoryItemType": "StateUpdate", "HistorySummary": "Alarm updated from ALARM to OK"},
        {"AlarmName": "other-5xx", "HistoryItemType": "StateUpdate", "HistorySummary": "updated from OK to ALARM"},
    ]
    fired = transitions_to_alarm(history, "p-")
    assert len(fired) == 1 and fired[0].startswith("p-5xx")


# --- the concurrency check's plan and reader ----------------------------------------------------------------------


def test_event_plan_covers_every_flag_with_duplicates() -> None:
    courses = {"c1": ["m1", "m2"], "c2": ["m3", "m4"]}
    calls = module_event_calls(courses, 50)
    assert len(calls) == 50
    pairs = {(c.json["course_slug"], c.json["payload"]["module_slug"], c.json["eventName"]) for c in calls}
    assert len(pairs) == 8  # 4 modules × started/completed, each at least once (duplicates make up the rest)
    assert calls == module_event_calls(courses, 50)  # the same interleaving on every run
    many = {"c": [f"m{i}" for i in range(40)]}
    assert len(module_event_calls(many, 50)) == 80  # never fewer than one event per flag


def test_lost_flags_names_each_missing_flag() -> None:
    node = {"modules": {"m1": {"started": True, "completed": True}, "m2": {"started": True, "completed": False}}}
    assert lost_flags(node, ["m1"]) == []
    assert lost_flags(node, ["m1", "m2", "m3"]) == ["m2: completed missing", "m3: started/completed missing"]
    assert lost_flags(None, ["m1"]) == ["m1: started/completed missing"]
