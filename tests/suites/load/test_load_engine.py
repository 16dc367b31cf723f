"""The load engine (Locust in a child process) against a small loopback server: every request is sent with the
cookies and judged by the named predicate, Locust counts the rejected answers as failures of their kind, the
deadline cuts what was not sent, the first exchange of each label is transcribed without the cookie value, and
the distributed mode (a Locust master with two local worker processes) sends the same plan and merges the figures.
Locust itself never enters this (the harness's) process."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from checks.errors import HarnessError
from checks.evidence import Evidence
from suites.load.pacing import Pacer
from suites.load.plan import EngineSettings
from suites.load.runner import Call, load_window, run_load

COOKIES = {"hhl_access_token": "engine-test-cookie-value"}


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        status = 503 if self.path.startswith("/fail") else 200
        has_cookie = f"hhl_access_token={COOKIES['hhl_access_token']}" in (self.headers.get("cookie") or "")
        body = json.dumps({"cookie": has_cookie}).encode()
        _Handler.seen.append(self.path)
        self.send_response(status if has_cookie else 401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _calls() -> list[Call]:
    return [Call("ok", "GET", "/ok")] * 18 + [Call("fail", "GET", "/fail")] * 2


def test_local_engine_judges_every_request_and_transcribes_without_the_cookie(server: str, tmp_path: Path) -> None:
    evidence = Evidence(tmp_path, "load.engine_test")
    result = run_load(server, _calls(), concurrency=4, cookies=COOKIES, evidence=evidence, accept="ok")
    summary = result.summary()
    assert summary["all"]["statuses"] == {"200": 18, "503": 2}  # every request carried the cookie (else 401)
    assert summary["all"]["count"] == 20 and summary["all"]["failures"] == 2  # Locust's own counts
    assert summary["by_label"]["fail"]["failure_kinds"] == {"5xx": 2}
    assert summary["by_label"]["ok"]["failures"] == 0 and summary["by_label"]["ok"]["p95_ms"] is not None
    assert [e["status"] for e in summary["failure_excerpts"]] == [503, 503]
    assert summary["engine"]["runner"] == "local"
    transcripts = sorted(p.name for p in evidence.directory.iterdir())
    assert len(transcripts) == 2 and all("-GET-" in name for name in transcripts)  # the first of each label
    text = "".join(p.read_text() for p in evidence.directory.iterdir())
    assert "< HTTP/1.1 200" in text and "> Cookie: hhl_access_token=" in text  # the name, not the value
    assert COOKIES["hhl_access_token"] not in text
    started, ended = load_window()
    assert started is not None and ended is not None and started <= ended


def test_a_rejected_answer_is_a_failure_of_its_kind(server: str) -> None:
    calls = [Call("anon", "GET", "/ok")] * 3
    result = run_load(server, calls, concurrency=1, cookies={}, evidence=None, accept="ok")  # no cookie: 401
    figures = result.summary()["all"]
    assert figures["statuses"] == {"401": 3} and figures["failure_kinds"] == {"unexpected answer": 3}


def test_no_answer_is_counted(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_load(f"http://127.0.0.1:{port}", [Call("x", "GET", "/")] * 2, concurrency=1, cookies={},
                      evidence=None, accept="ok")  # fmt: skip
    figures = result.summary()["all"]
    assert figures["no_answer"] == 2 and figures["failure_kinds"] == {"no answer": 2}


def test_the_deadline_cuts_the_calls_not_sent_and_the_budget_comes_back(server: str) -> None:
    slow = Pacer(1, 1.0)  # one request at once, the next a second later: the 0.3 s deadline cuts the rest
    result = run_load(server, [Call("ok", "GET", "/ok")] * 5, concurrency=1, cookies=COOKIES, evidence=None,
                      accept="ok", pacer=slow, deadline_s=0.3)  # fmt: skip
    # The call already waiting on the pacer finishes; the three queued behind it are never sent.
    assert (result.summary()["all"]["count"], result.not_sent) == (2, 3)
    assert slow.snapshot().tokens < 1  # the engine spent the budget: the harness's bucket knows it


def test_an_unknown_predicate_is_refused_before_anything_is_sent(server: str) -> None:
    with pytest.raises(ValueError, match="no load predicate"):
        run_load(server, _calls(), concurrency=2, cookies={}, evidence=None, accept="is_fine")
    assert _Handler.seen == []


def test_distributed_engine_with_two_local_workers(server: str) -> None:
    engine = EngineSettings(workers=2)
    calls = _calls() * 2
    result = run_load(server, calls, concurrency=4, cookies=COOKIES, evidence=None, accept="ok", engine=engine)
    summary = result.summary()
    assert summary["engine"]["runner"] == "distributed" and summary["engine"]["workers"] == 2
    assert summary["all"]["statuses"] == {"200": 36, "503": 4} and result.not_sent == 0
    assert summary["all"]["count"] == 40 and summary["all"]["failure_kinds"] == {"5xx": 4}  # merged by Locust
    assert len(_Handler.seen) == 40


def test_a_failing_engine_is_a_harness_error_without_the_cookies(server: str) -> None:
    engine = EngineSettings(workers=1, external_workers=True, master_port=1, worker_connect_timeout_s=0.5)
    with pytest.raises(HarnessError, match="load engine failed") as raised:
        run_load(server, _calls(), concurrency=1, cookies=COOKIES, evidence=None, accept="ok", engine=engine)
    assert COOKIES["hhl_access_token"] not in str(raised.value)


def test_locust_never_enters_the_harness_process() -> None:
    assert "locust" not in sys.modules and "gevent" not in sys.modules
