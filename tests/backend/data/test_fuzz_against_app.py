"""`checks.fuzz` against the real app (moto store, a signed-in caller): nothing the fuzzer sends gets a 5xx or an
off-schema answer from the healthy backend, and the planted `backend.unhashable_event_name` is found."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from checks.fuzz import ContentSlugs, Exchange, FuzzBounds, FuzzReport, load_schema, run_fuzz, select_operations
from sandbox.backend_faults import seams_for_faults

SLUGS = ContentSlugs(
    "network-like-hyperscaler-foundations",
    "network-like-hyperscaler",
    "fabric-operations-welcome",
    "fabric-operations-foundations-recap",
)
BOUNDS = FuzzBounds(max_examples=15, max_seconds=60.0, rate_per_s=10_000.0, max_coverage_cases=100)


def fuzz(api: TestClient, storage: Path) -> FuzzReport:
    def send(exchange: Exchange) -> httpx.Response:
        return api.request(
            exchange.method, exchange.path, params=exchange.params, headers=exchange.headers, content=exchange.body
        )

    chosen = select_operations(load_schema(), allow_writes=True).operations
    data_routes = [op for op in chosen if op.path in ("/events/track", "/quiz/grade", "/progress/aggregate")]
    return run_fuzz(data_routes, send, bounds=BOUNDS, storage_dir=storage, slugs=SLUGS, fuzz_seed=1)


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis-home")


def test_the_healthy_data_routes_give_the_fuzzer_nothing(api: TestClient, storage: Path) -> None:
    report = fuzz(api, storage)
    assert report.findings == {}, report.summary()["findings"]
    assert all(run.examples > 0 for run in report.runs.values())


def test_the_fuzzer_finds_the_unhashable_event_name_fault(api: TestClient, storage: Path) -> None:
    api.app.state.seams = seams_for_faults(frozenset({"backend.unhashable_event_name"}), base=api.app.state.seams)
    report = fuzz(api, storage)
    assert [(f.operation, f.status) for f in report.findings.values()] == [("POST /events/track", 500)]
