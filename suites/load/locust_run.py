"""The load engine's Locust side (child process only: imported by suites/load/engine.py after it has started any
local workers; Locust monkey-patches with gevent on import, which must never happen in the pytest process).
`run_local` drives Locust's LocalRunner; `run_distributed` a MasterRunner that sends each worker its slice of the
plan with a Locust custom message and reads the stats Locust merges from the workers; `run_worker` is one worker.
Reports hold figures, excerpts and transcripts, never a cookie value."""

from __future__ import annotations

import locust  # first: Locust monkey-patches with gevent before anything else imports socket or ssl

# isort: split
import time
from typing import Any

import gevent
from gevent.event import Event
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import RequestStats, StatsEntry

from suites.load.plan import LoadPlan
from suites.load.predicates import KINDS
from suites.load.tasks import Job, LoadUser

__all__ = ["failure_kinds", "locust_figures", "run_distributed", "run_local", "run_worker"]

PLAN_MESSAGE = "hhl_plan"
REPORT_KEY = "hhl_report"  # the worker's job report, added to its last stats report to the master


def _entry_figures(entry: StatsEntry) -> dict[str, Any]:
    return {
        "count": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "max_ms": entry.max_response_time or 0,
    }


def locust_figures(stats: RequestStats) -> dict[str, Any]:
    """Counts and percentiles per label and overall, straight from Locust's stats."""
    by_label: dict[str, StatsEntry] = {}
    for (name, _method), entry in stats.entries.items():
        merged = by_label.setdefault(name, StatsEntry(stats, name, "", use_response_times_cache=False))
        merged.extend(entry)
    return {"all": _entry_figures(stats.total), "by_label": {k: _entry_figures(v) for k, v in by_label.items()}}


def failure_kinds(stats: RequestStats) -> dict[str, dict[str, int]]:
    """label → failure kind → occurrences, from Locust's error table (the kind is the failure's message)."""
    kinds: dict[str, dict[str, int]] = {}
    for error in stats.errors.values():
        kind = next((k for k in KINDS if f"'{k}'" in str(error.error) or str(error.error) == k), "other")
        per_label = kinds.setdefault(error.name, {})
        per_label[kind] = per_label.get(kind, 0) + error.occurrences
    return kinds


def _merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    statuses: dict[str, dict[str, int]] = {}
    for report in reports:
        for label, counter in report["statuses"].items():
            merged = statuses.setdefault(label, {})
            for status, n in counter.items():
                merged[status] = merged.get(status, 0) + n
    tokens = [r["pacer_tokens"] for r in reports if r["pacer_tokens"] is not None]
    return {
        "statuses": statuses,
        "failure_excerpts": [e for r in reports for e in r["failure_excerpts"]][:10],
        "transcripts": list({t["label"]: t for r in reports for t in reversed(r["transcripts"])}.values()),
        "not_sent": sum(r["not_sent"] for r in reports),
        "pacer_tokens": sum(tokens) if tokens else None,
    }


def _drive(job: Job, plan: LoadPlan) -> None:
    """Wait for the job to finish within the deadline; then stop taking calls and let those in flight answer."""
    if not job.done.wait(plan.deadline_s):
        job.stop()
        job.done.wait(plan.request_timeout_s + 1)


def run_local(plan: LoadPlan) -> dict[str, Any]:
    env = Environment(user_classes=[LoadUser], host=plan.base_url)
    job = Job(plan)
    LoadUser.configure(job)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(plan.concurrency, spawn_rate=plan.concurrency)
    _drive(job, plan)
    elapsed = time.monotonic() - started
    runner.quit()
    return _report(env.stats, job.report(), plan, elapsed, {"runner": "local", "workers": 0})


def run_distributed(plan: LoadPlan, port: int) -> dict[str, Any]:
    """The master on `port`, for `plan.engine.workers` workers (already started, or to be started elsewhere)."""
    settings = plan.engine
    host = settings.master_bind_host
    env = Environment(user_classes=[LoadUser], host=plan.base_url)
    runner = env.create_master_runner(master_bind_host=host, master_bind_port=port)
    assert isinstance(runner, MasterRunner)
    reports: dict[str, dict[str, Any]] = {}
    all_reported = Event()

    def on_worker_report(client_id: str, data: dict[str, Any]) -> None:
        if REPORT_KEY in data:
            reports[client_id] = data[REPORT_KEY]
            if len(reports) == settings.workers:
                all_reported.set()

    env.events.worker_report.add_listener(on_worker_report)
    deadline = time.monotonic() + settings.worker_connect_timeout_s
    while len(runner.clients.ready) < settings.workers:
        if time.monotonic() > deadline:
            runner.quit()
            raise TimeoutError(f"{len(runner.clients.ready)}/{settings.workers} load workers connected")
        gevent.sleep(0.05)
    workers = sorted(runner.clients.ready, key=lambda w: runner.get_worker_index(w.id))
    for index, worker in enumerate(workers):
        runner.send_message(PLAN_MESSAGE, {"plan": plan.slice(index, len(workers)).to_json()}, client_id=worker.id)
    started = time.monotonic()
    runner.start(plan.concurrency, spawn_rate=plan.concurrency)
    # Each worker bounds its own slice by the deadline; the master allows for the last answers and reports.
    all_reported.wait(plan.deadline_s + plan.request_timeout_s + 5)
    elapsed = time.monotonic() - started
    runner.quit()
    if len(reports) < settings.workers:
        raise TimeoutError(f"{len(reports)}/{settings.workers} load workers reported")
    engine = {"runner": "distributed", "workers": settings.workers}
    return _report(env.stats, _merge_reports(list(reports.values())), plan, elapsed, engine)


def run_worker(master_host: str, master_port: int) -> None:
    env = Environment(user_classes=[LoadUser])
    runner = env.create_worker_runner(master_host, master_port)
    assert isinstance(runner, WorkerRunner)
    finished: dict[str, Any] = {}

    def on_plan(environment: Environment, msg: Any, **_: Any) -> None:
        job = Job(LoadPlan.from_json(msg.data["plan"]))
        LoadUser.configure(job)

        def finish() -> None:
            _drive(job, job.plan)
            finished[REPORT_KEY] = job.report()
            runner._send_stats()  # Locust's own flush (as on quit): these stats and the report in one message

        gevent.spawn(finish)

    def on_report(client_id: str, data: dict[str, Any]) -> None:
        if REPORT_KEY in finished:
            data[REPORT_KEY] = finished.pop(REPORT_KEY)

    runner.register_message(PLAN_MESSAGE, on_plan)
    env.events.report_to_master.add_listener(on_report)
    runner.greenlet.join()


def _report(
    stats: RequestStats, job: dict[str, Any], plan: LoadPlan, elapsed: float, engine: dict[str, Any]
) -> dict[str, Any]:
    return {
        "locust": locust_figures(stats),
        "failure_kinds": failure_kinds(stats),
        "statuses": job["statuses"],
        "failure_excerpts": job["failure_excerpts"],
        "transcripts": job["transcripts"],
        "not_sent": job["not_sent"],
        "pacer_tokens": job["pacer_tokens"],
        "concurrency": plan.concurrency,
        "elapsed_s": elapsed,
        "engine": engine | {"locust": locust.__version__},
    }
