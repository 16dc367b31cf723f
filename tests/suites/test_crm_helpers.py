"""The crm suite's helpers can fail: the success-rate measurement (coalesced events, late and lost ones, its
bound), the figures, the readers of HubSpot's string values, the progress-tree counter and the bounded watch."""

from __future__ import annotations

import json

import pytest

from checks.errors import CheckFailure
from suites.crm.rate import Event, figures, measure
from suites.crm.sync import Watch, completed_modules, course_set, expect_reflected, number, poll_interval, state_json
from suites.crm.test_faults import dump_reader, failures_during


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


class Portal:
    """A contact that reflects each sent event `lag_s` after its send (None: that event is lost)."""

    def __init__(self, clock: FakeClock, lags: dict[int, float | None], default_lag: float = 1.0) -> None:
        self.clock, self.lags, self.default_lag = clock, lags, default_lag
        self.sent: dict[int, float] = {}
        self.reads = 0

    def send(self, index: int) -> None:
        self.sent[index] = self.clock()

    def observe(self) -> int | None:
        self.reads += 1
        lags = {i: self.lags.get(i, self.default_lag) for i in self.sent}
        shown = [i for i, at in self.sent.items() if lags[i] is not None and self.clock() >= at + lags[i]]
        return max(shown) if shown else None


def _measure(portal: Portal, clock: FakeClock, *, count: int = 20, deadline_s: float = 60) -> list[Event]:
    return measure(
        portal.send,
        portal.observe,
        count=count,
        spacing_s=0.25,
        interval_s=0.5,
        deadline_s=deadline_s,
        clock=clock,
        sleep=clock.sleep,
    )


def test_every_event_reflected_gives_ratio_one_and_latencies() -> None:
    clock = FakeClock()
    portal = Portal(clock, {}, default_lag=2.0)
    events = _measure(portal, clock)
    summary = figures(events, deadline_s=60)
    assert summary["ratio"] == 1.0 and summary["events"] == 20
    assert 2.0 <= summary["p50_s"] <= summary["p95_s"] <= summary["max_s"] <= 2.5  # read resolution 0.5 s
    assert clock() < 20 * 0.25 + 3  # stops as soon as all are reflected, not at the deadline


def test_a_later_event_reflects_the_earlier_ones_it_superseded() -> None:
    clock = FakeClock()
    portal = Portal(clock, {i: None for i in range(19)}, default_lag=1.0)  # only the last one ever shows
    events = _measure(portal, clock)
    assert all(e.reflected_at is not None for e in events)
    assert events[0].latency_s is not None and events[0].latency_s > events[19].latency_s  # type: ignore[operator]


def test_lost_tail_events_lower_the_ratio_and_the_wait_is_bounded() -> None:
    clock = FakeClock()
    portal = Portal(clock, {18: None, 19: None}, default_lag=1.0)
    events = _measure(portal, clock, deadline_s=10)
    summary = figures(events, deadline_s=10)
    assert summary["reflected_in_time"] == 18 and summary["ratio"] == 0.9
    assert summary["per_event_latency_s"][-2:] == [None, None]
    assert 19 * 0.25 + 10 < clock() <= 19 * 0.25 + 10 + 0.5 + 1e-9  # the last send + the deadline (+ one read)


def test_late_events_do_not_count_as_in_time() -> None:
    events = [Event(0, 0.0, 5.0), Event(1, 0.0, 61.0), Event(2, 0.0, None)]
    summary = figures(events, deadline_s=60)
    assert (summary["reflected_in_time"], summary["ratio"], summary["max_s"]) == (1, 0.3333, 61.0)


def test_figures_without_any_reflected_event() -> None:
    summary = figures([Event(0, 0.0)], deadline_s=60)
    assert (summary["ratio"], summary["p50_s"], summary["p95_s"], summary["max_s"]) == (0.0, None, None, None)


def test_property_readers() -> None:
    assert course_set("a;b;;c") == ["a", "b", "c"] and course_set(None) == [] and course_set("") == []
    assert number("3") == 3.0 and number("") is None and number(None) is None and number("x") is None
    assert state_json('{"a": 1}') == {"a": 1} and state_json("{not json") == "{not json"
    assert poll_interval(60) == 0.5 and poll_interval(300) == 2.5 and poll_interval(6000) == 5.0


def test_completed_modules_counts_standalone_and_pathway_courses() -> None:
    done = {"started": True, "completed": True}
    progress = {
        "courses": {"c1": {"modules": {"m1": done, "m2": {"started": True, "completed": False}}}},
        "pathway-x": {"enrolled": True, "courses": {"c2": {"modules": {"m3": done, "m4": done}}}},
    }
    assert completed_modules(progress) == 3
    assert completed_modules({}) == 0
    assert completed_modules(json.loads(json.dumps(progress))) == 3


def test_expect_reflected_names_what_the_contact_held() -> None:
    class Ev:
        def record(self, **kwargs: object) -> None:
            self.recorded = kwargs

    ev = Ev()
    with pytest.raises(CheckFailure, match="no contact for the test user"):
        expect_reflected(ev, Watch(False, None, 60.0, 120), {"x": 1}, "the enrollment")  # type: ignore[arg-type]
    with pytest.raises(CheckFailure, match=r"held \{'hhl_enrolled_courses': 'b'\}"):
        expect_reflected(ev, Watch(False, {"hhl_enrolled_courses": "b"}, 60.0, 120), {}, "x")  # type: ignore[arg-type]
    props = expect_reflected(ev, Watch(True, {"k": "v"}, 1.0, 2), {}, "x", extra=1)  # type: ignore[arg-type]
    assert props == {"k": "v"} and ev.recorded["actual"]["extra"] == 1  # type: ignore[index]


def test_failures_during_takes_the_failed_invocations_and_give_ups_of_the_window() -> None:
    ledger = {
        "batch_item_failures": 3,
        "recent": [
            {"at": 10.0, "records": 2, "batch_item_failures": ["7"]},  # before the user's sync
            {"at": 20.0, "records": 1, "batch_item_failures": []},  # a clean invocation
            {"at": 21.0, "records": 3, "batch_item_failures": ["9", "10"]},
        ],
        "given_up": [{"at": 22.0, "to": "dlq", "records": 1}],
    }
    assert [e["at"] for e in failures_during(ledger, 15.0, 30.0)] == [21.0, 22.0]
    assert failures_during(ledger, 23.0, 30.0) == []
    assert failures_during({}, 0.0, 1.0) == []


def test_dump_reader_refuses_two_contacts_for_one_user() -> None:
    class Dump:
        def __init__(self, contacts: list[dict]) -> None:
            self.found = contacts

        def contacts(self, email: str) -> list[dict]:
            return self.found

    assert dump_reader(Dump([]), "u@example.com")() is None  # type: ignore[arg-type]
    one = Dump([{"id": "1", "properties": {"hhl_enrolled_courses": "a"}}])
    assert dump_reader(one, "u@example.com")() == {"hhl_enrolled_courses": "a"}  # type: ignore[arg-type]
    with pytest.raises(CheckFailure, match="2 contacts for the user's email"):
        dump_reader(Dump([{"id": "1"}, {"id": "2"}]), "u@example.com")()  # type: ignore[arg-type]
