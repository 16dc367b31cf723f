"""load.alarms_quiet_after's watch window: only after this run's load, for the env's alarm_quiet_window_s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suites.load.alarms import alarm_watch

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_no_load_no_watch() -> None:
    assert alarm_watch(None, None, 300) is None
    assert alarm_watch(T0, None, 300) is None


def test_watch_runs_the_env_window_after_the_end_of_the_load() -> None:
    watch = alarm_watch(T0, T0 + timedelta(seconds=40), 300)
    assert watch is not None and watch.until == T0 + timedelta(seconds=340)
    assert watch.remaining_s(T0 + timedelta(seconds=100)) == 240
    assert watch.remaining_s(T0 + timedelta(hours=1)) == 0  # the run itself outlasted the window: one look


def test_zero_window_is_one_look_without_waiting() -> None:
    watch = alarm_watch(T0, T0 + timedelta(seconds=40), 0)
    assert watch is not None and watch.remaining_s(T0 + timedelta(seconds=40)) == 0
