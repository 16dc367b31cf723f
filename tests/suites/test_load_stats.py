"""The load suite's helpers can fail: percentiles and summaries, the rate budget, the load judgement, the throttle
judgement (a gateway without throttling is named), bounded polling, the alarm readers, the event plan and the
lost-flag reader, and the runner against a loopback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from suites.load.alarms import alarm_states, in_alarm, transitions_to_alarm
from suites.load.expect import load_problems
from suites.load.polling import poll
from suites.load.runner import Call, LoadResult, Pacer, load_window, run_load
from suites.load.stats import Sample, percentile, status_class, summarize
from suites.load.test_load_concurrency import lost_flags, module_event_calls
from suites.load.throttle import THROTTLED, throttle_problems


def _sample(status: int = 200, latency: float = 10.0, body: object = None, label: str = "r") -> Sample:
    return Sample(label, "GET", "/r", status, latency, body=body)


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


def test_summary_counts_statuses_and_times_only_answered_requests() -> None:
    samples = [_sample(200, 10), _sample(200, 30), _sample(503, 50), _sample(429, 5), _sample(0, 9999, label="x")]
    summary = summarize(samples)
    assert summary["all"]["statuses"] == {"0": 1, "200": 2, "429": 1, "503": 1}
    assert (summary["all"]["server_errors"], summary["all"]["throttled"], summary["all"]["no_answer"]) == (1, 1, 1)
    assert summary["all"]["max_ms"] == 50  # the unanswered request has no latency
    assert summary["by_label"]["x"]["p95_ms"] is None
    assert status_class(503) == "5xx" and status_class(0) == "no answer"


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


# --- load judgement -----------------------------------------------------------------------------------------------


def _result(samples: list[Sample], not_sent: int = 0) -> LoadResult:
    return LoadResult(samples, concurrency=10, elapsed_s=1.0, not_sent=not_sent)


def _ok(sample: Sample) -> bool:
    return sample.status == 200 and sample.body == {"ok": True}


def test_load_judgement_passes_a_healthy_run_and_names_each_defect() -> None:
    healthy = [_sample(200, 100, {"ok": True}) for _ in range(20)]
    assert load_problems(_result(healthy), accept=_ok, p95_ms=1000, expected_count=20) == []
    cases = {
        "5xx": [*healthy[:19], _sample(502, 100)],
        "429": [*healthy[:19], _sample(429, 1)],
        "no answer": [*healthy[:19], _sample(0, 1)],
        "unexpected answers": [*healthy[:19], _sample(200, 1, {"mode": "anonymous"})],
        "p95": [*healthy[:18], _sample(200, 1000, {"ok": True}), _sample(200, 1200, {"ok": True})],
    }
    for defect, samples in cases.items():
        problems = load_problems(_result(samples), accept=_ok, p95_ms=1000, expected_count=20)
        assert any(defect in p for p in problems), (defect, problems)
    cut = load_problems(_result(healthy[:15], not_sent=5), accept=_ok, p95_ms=1000, expected_count=20)
    assert any("15/20 requests sent" in p for p in cut)
    assert load_problems(_result(cases["p95"]), accept=_ok, p95_ms=None, expected_count=20) == []


# --- throttle judgement -------------------------------------------------------------------------------------------


def _route(sample: Sample) -> bool:
    return sample.status == 401


def test_throttle_judgement_names_a_gateway_without_throttling() -> None:
    throttling = [_sample(401)] * 300 + [_sample(429, body=THROTTLED)] * 100
    assert throttle_problems(throttling, route_answer=_route) == []
    unthrottled = [_sample(401)] * 400
    assert any("no 429" in p for p in throttle_problems(unthrottled, route_answer=_route))
    crashing = [*throttling, _sample(502, body={"message": "Internal Server Error"})]
    assert any("5xx" in p for p in throttle_problems(crashing, route_answer=_route))
    wrong_body = [_sample(401), _sample(429, body={"error": "slow down"})]
    assert any("another body" in p for p in throttle_problems(wrong_body, route_answer=_route))
    foreign = [*throttling, _sample(404, body={"message": "Not Found"})]
    assert any("neither the route's" in p for p in throttle_problems(foreign, route_answer=_route))


# --- polling ------------------------------------------------------------------------------------------------------


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


# --- the runner ---------------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 503 if self.path.startswith("/fail") else 200
        body = json.dumps({"cookie": "hhl_access_token=t" in (self.headers.get("cookie") or "")}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_runner_records_every_request_with_the_cookies(server: str) -> None:
    before = datetime.now(UTC)
    calls = [Call("ok", "GET", "/ok")] * 18 + [Call("fail", "GET", "/fail")] * 2
    result = run_load(server, calls, concurrency=4, cookies={"hhl_access_token": "t"}, evidence=None)
    summary = result.summary()
    assert summary["all"]["statuses"] == {"200": 18, "503": 2}
    assert all(s.body == {"cookie": True} for s in result.samples)
    assert [f["status"] for f in summary["failure_excerpts"]] == [503, 503]
    started, ended = load_window()
    assert started is not None and ended is not None and before <= ended


def test_runner_deadline_cuts_the_remaining_calls(server: str) -> None:
    slow = Pacer(1, 1.0)  # one request at once, the next a second later: the 0.3 s deadline cuts the rest
    calls = [Call("ok", "GET", "/ok")] * 5
    result = run_load(server, calls, concurrency=1, cookies={}, evidence=None, pacer=slow, deadline_s=0.3)
    # The call already waiting on the pacer finishes; the three queued behind it are never sent.
    assert (len(result.samples), result.not_sent) == (2, 3)
