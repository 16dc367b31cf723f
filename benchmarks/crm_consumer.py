"""CRM consumer benchmark: per-record cost (records/s, ms/record) of `create_consumer` in-process, median of 5 runs.

Everything runs in this process: moto's in-process DynamoDB with the four tables and their streams, the real store
writing each learner's events, the HubSpot stand-in (sandbox.hubspot) behind starlette's TestClient as the transport,
and the Lambda-shaped stream records delivered in batches of 25 (the mappings' BatchSize). Each run uses new
learners, so every user costs a search, a create and a PATCH. Timings on a shared 2-core machine are noisy.

    .venv/bin/python benchmarks/crm_consumer.py [--users 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "backend")]
os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-west-2")
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_name, None)

import boto3  # noqa: E402
from hhl_backend.content import load_catalog  # noqa: E402
from hhl_backend.crm.config import CrmSettings  # noqa: E402
from hhl_backend.crm.handler import create_consumer  # noqa: E402
from hhl_backend.store import BOTO_CONFIG, Store, TableNames  # noqa: E402
from hhl_backend.store.schema import create_tables  # noqa: E402
from moto import mock_aws  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from sandbox.hubspot import create_hubspot_app  # noqa: E402
from tests.backend.crm.streams import REGION, Streams, event_of  # noqa: E402

BATCH = 25
TOKEN = "bench-token"
BASE_URL = "http://hubspot.bench.invalid"
TABLES = TableNames(
    "hedgehog-learn-users-local",
    "hedgehog-learn-enrollments-local",
    "hedgehog-learn-progress-local",
    "hedgehog-learn-badges-local",
)


def learner_events(store: Store, sub: str) -> None:
    """A short session: login, a course enrolment, two module events, a page view."""
    store.upsert_user_profile(sub, {"email": f"{sub}@bench.invalid", "name": sub})
    store.enroll_course(sub, "course-authoring-101", pathway_slug="getting-started", source="bench")
    store.record_module_event(sub, module_slug="authoring-basics", course_slug=None, pathway_slug=None, completed=False)
    store.record_module_event(sub, module_slug="authoring-basics", course_slug=None, pathway_slug=None, completed=True)
    store.record_page_view(sub, "module", "authoring-basics")


def one_run(run: int, users: int, consumer: Any, store: Store, streams: Streams) -> dict[str, float]:
    streams.drain()  # the previous run's echo records (our own contact-id writes) are not this run's work
    for i in range(users):
        learner_events(store, f"bench-{run}-{i}")
    records = streams.drain()
    started = time.perf_counter()
    failures = 0
    for i in range(0, len(records), BATCH):
        failures += len(consumer(event_of(records[i : i + BATCH]))["batchItemFailures"])
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"run {run}: {failures} batch item failures")
    return {"records": len(records), "seconds": elapsed, "ms_per_record": 1000 * elapsed / len(records)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="new learners per run (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="runs; the median is reported (default 5)")
    args = parser.parse_args(argv)
    settings = CrmSettings("local", TABLES.users, TABLES.enrollments, TABLES.progress, TABLES.badges, BASE_URL)
    with mock_aws(), TestClient(create_hubspot_app(token=TOKEN), base_url=BASE_URL) as hubspot:
        ddb = boto3.client("dynamodb", region_name=REGION, config=BOTO_CONFIG)
        create_tables(ddb, TABLES)
        store = Store(ddb, TABLES, load_catalog())
        streams = Streams(ddb, (TABLES.users, TABLES.enrollments, TABLES.progress, TABLES.badges))
        requests: list[str] = []
        hubspot.event_hooks = {"request": [lambda request: requests.append(request.method)], "response": []}
        consumer = create_consumer(settings, token=TOKEN, http=hubspot)
        one_run(0, 2, consumer, store, streams)  # warm-up: imports, first connections
        requests.clear()
        runs = [one_run(run, args.users, consumer, store, streams) for run in range(1, args.runs + 1)]
    for i, r in enumerate(runs, 1):
        print(f"run {i}: {r['records']} records in {r['seconds'] * 1000:.0f} ms = {r['ms_per_record']:.2f} ms/record")
    ms = statistics.median(r["ms_per_record"] for r in runs)
    per_user = statistics.median(1000 * r["seconds"] / args.users for r in runs)
    print(
        f"median of {len(runs)}: {ms:.2f} ms/record, {1000 / ms:.0f} records/s, {per_user:.1f} ms/user "
        f"({runs[0]['records'] // args.users} records and {len(requests) / (args.users * len(runs)):.1f} HubSpot "
        f"requests per user, batches of {BATCH})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
