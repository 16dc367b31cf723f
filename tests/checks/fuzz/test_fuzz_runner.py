"""checks.fuzz on a mocked API: what is fuzzed, how it is bounded, what counts as a finding, and that Hypothesis
writes nothing into the working directory."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from checks.fuzz import EXCLUDED, ContentSlugs, Exchange, FuzzBounds, load_schema, run_fuzz, select_operations
from checks.fuzz.runner import sendable

SCHEMA = load_schema()
SLUGS = ContentSlugs("course-a", "pathway-a", "module-a", "quiz-module")
SESSION = {"hhl_access_token": "session-token"}


def operations(*labels: str) -> list[Any]:
    chosen = select_operations(SCHEMA, allow_writes=True).operations
    return [op for op in chosen if f"{op.method.upper()} {op.path}" in labels]


def answering(handler: Any) -> tuple[Any, list[httpx.Request]]:
    """A sender on a MockTransport and the list of requests it received."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(record), base_url="http://api.test")

    def send(exchange: Exchange) -> httpx.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in exchange.cookies.items())
        headers = {**exchange.headers, **({"Cookie": cookie} if cookie else {})}
        return client.request(
            exchange.method, exchange.path, params=exchange.params, headers=headers, content=exchange.body
        )

    return send, seen


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Hypothesis home for the module: its charmap cache takes seconds to build."""
    return tmp_path_factory.mktemp("hypothesis-home")


def bad_request(_: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"error": "Invalid quiz payload"})


def fast(**changes: Any) -> FuzzBounds:
    return FuzzBounds(
        **{"max_examples": 5, "max_seconds": 30.0, "rate_per_s": 10_000.0, "max_coverage_cases": 10, **changes}
    )


def test_without_writes_only_reads_are_fuzzed_and_never_the_excluded_routes() -> None:
    read_only = select_operations(SCHEMA, allow_writes=False)
    labels = {f"{op.method.upper()} {op.path}" for op in read_only.operations}
    assert labels == {
        "GET /auth/login",
        "GET /auth/me",
        "GET /enrollments/list",
        "GET /progress/read",
        "GET /progress/aggregate",
    }
    assert set(EXCLUDED) <= set(read_only.skipped)
    assert {"POST /events/track", "POST /quiz/grade"} <= set(read_only.skipped)
    writable = {f"{op.method.upper()} {op.path}" for op in select_operations(SCHEMA, allow_writes=True).operations}
    assert writable == labels | {"POST /events/track", "POST /quiz/grade"}


def test_a_5xx_is_a_finding_with_its_reproducing_request(storage: Path) -> None:
    def crash_on_non_string_name(request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content or b"{}")
        except ValueError:  # not JSON, not UTF-8
            body = None
        if isinstance(body, dict) and not isinstance(body.get("eventName", ""), str):
            return httpx.Response(500, json={"error": "Internal error"})
        return httpx.Response(400, json={"error": "Invalid track event payload"})

    send, _ = answering(crash_on_non_string_name)
    report = run_fuzz(
        operations("POST /events/track"),
        send,
        bounds=fast(max_coverage_cases=100),
        storage_dir=storage,
        slugs=SLUGS,
        session_cookies=SESSION,
    )
    [finding] = report.findings.values()
    assert (finding.operation, finding.kind, finding.status) == ("POST /events/track", "server error", 500)
    assert not isinstance(json.loads(finding.exchange.body or b"{}")["eventName"], str)


def test_an_answer_off_its_documented_schema_is_a_finding(storage: Path) -> None:
    send, _ = answering(lambda _: httpx.Response(400, json={"message": "no error member"}))
    report = run_fuzz(operations("POST /quiz/grade"), send, bounds=fast(), storage_dir=storage)
    assert [f.kind for f in report.findings.values()] == ["Response violates schema"]


def test_a_conforming_api_has_no_findings_and_gets_signed_in_and_anonymous_requests(storage: Path) -> None:
    send, seen = answering(bad_request)
    report = run_fuzz(
        operations("POST /quiz/grade"), send, bounds=fast(), storage_dir=storage, slugs=SLUGS, session_cookies=SESSION
    )
    assert report.findings == {}
    cookies = [request.headers.get("cookie", "") for request in seen]
    assert any("hhl_access_token=session-token" in c for c in cookies)
    assert any("hhl_access_token" not in c for c in cookies)
    # The env's quiz module is used, so that requests get past "quiz not found".
    assert any(b'"quiz-module"' in (request.content or b"") for request in seen)


def test_examples_per_operation_are_bounded(storage: Path) -> None:
    send, seen = answering(bad_request)
    bounds = fast(max_examples=3, max_coverage_cases=4)
    report = run_fuzz(
        operations("POST /quiz/grade", "GET /progress/aggregate"), send, bounds=bounds, storage_dir=storage
    )
    for label, run in report.runs.items():
        assert run.coverage_cases <= 4, label
        assert run.examples <= 4 + 3, label
    assert len(seen) == sum(report.examples_per_operation().values())


def test_the_wall_clock_bound_cuts_every_operation_short(storage: Path) -> None:
    def slow(_: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # a slow target, not synchronisation
        return httpx.Response(400, json={"error": "x"})

    send, _ = answering(slow)
    started = time.monotonic()
    bounds = fast(max_examples=1000, max_coverage_cases=1000, max_seconds=1.5)
    report = run_fuzz(operations("POST /events/track", "POST /quiz/grade"), send, bounds=bounds, storage_dir=storage)
    assert time.monotonic() - started < 1.5 + 2.0  # one in-flight request and Hypothesis's teardown at most
    assert all(run.cut_short for run in report.runs.values())
    assert all(run.examples > 0 for run in report.runs.values()), "each operation gets its share of the time"


def test_hypothesis_writes_nothing_into_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    send, _ = answering(bad_request)
    run_fuzz(operations("POST /quiz/grade"), send, bounds=fast(), storage_dir=tmp_path / "cache")
    assert list(workdir.iterdir()) == []


def test_headers_no_client_can_send_are_not_requests() -> None:
    def exchange(headers: dict[str, str], cookies: dict[str, str] | None = None) -> Exchange:
        return Exchange("GET", "/auth/me", {}, headers, cookies or {}, None, signed_in=False)

    assert sendable(exchange({"Authorization": "Bearer abc"}, {"hhl_access_token": "t"}))
    assert not sendable(exchange({"Authorization": "Bearer "}))
    assert not sendable(exchange({"X-A": "line\r\nbreak"}))
    assert not sendable(exchange({"X-A": "caf\u00e9"}))
    assert not sendable(exchange({}, {"hhl_access_token": "new\nline"}))


def test_bounds_from_the_env_file_section_with_defaults_for_what_it_leaves_out() -> None:
    class Section:
        max_examples = 7
        max_seconds = None
        max_coverage_cases = 0  # coverage off

    assert FuzzBounds.from_env(None) == FuzzBounds()
    bounds = FuzzBounds.from_env(Section())
    assert (bounds.max_examples, bounds.max_coverage_cases) == (7, 0)
    assert (bounds.max_seconds, bounds.rate_per_s) == (FuzzBounds().max_seconds, FuzzBounds().rate_per_s)


def test_a_json_body_labelled_text_plain_is_still_judged_and_a_quiz_grade_shape_is_owned_elsewhere(
    storage: Path,
) -> None:
    """Real deployment: JSON as text/plain (api.content_type_json's) and `{"score":100,"pass":true}` for any quiz
    (api.quiz.grading's): the fuzzer sees the off-schema body, and names its owner."""

    def always_passes(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"score":100,"pass":true}', headers={"content-type": "text/plain"})

    send, _ = answering(always_passes)
    report = run_fuzz(operations("POST /quiz/grade"), send, bounds=fast(), storage_dir=storage)
    [finding] = report.findings.values()
    assert (finding.kind, finding.status, finding.owner) == ("Response violates schema", 200, "api.quiz.grading")
