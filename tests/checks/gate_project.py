"""Stand-ins for the gate plugin's own tests (tests/checks, tests/ci): tiny loopback HTTP servers standing in for
targets, and a pytester project that loads the gate plugin with a fake `pytest_hhl_finish_run` (records the
results, derives a simple verdict); and the fixtures that make them (`serve`, `api_server`, `gate`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

Route = tuple[int, dict[str, str], str]
CMS_404 = (
    404,
    {"Content-Type": "text/html; charset=utf-8"},
    "<!DOCTYPE html><html><head><script src='/hs-scripts/1.js'></script></head><body>Page not found</body></html>",
)
API_ROUTES: dict[str, Route] = {
    "/__hhl_probe_": (404, {"Content-Type": "application/json"}, '{"message":"Not Found"}'),
    "/auth/me": (
        401,
        {"Content-Type": "application/json", "WWW-Authenticate": 'Bearer realm="Hedgehog Learn"'},
        '{"error":"Unauthorized: Missing access token"}',
    ),
}


class Server:
    """A loopback HTTP server answering by path prefix; the default answer is the CMS-style HTML 404."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, text = next(
                    (route for prefix, route in server.routes.items() if self.path.startswith(prefix)), CMS_404
                )
                payload = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_OPTIONS = _answer

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def env_document(api_base_url: str, **overrides: Any) -> dict[str, Any]:
    """A valid aws env file (dev's content) pointed at `api_base_url`."""
    document = yaml.safe_load((Path(__file__).resolve().parents[2] / "environments" / "dev.yaml").read_text())
    document.update(api_base_url=api_base_url, allow_writes=False, **overrides)
    return document


GATE_CONFTEST = """
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

@dataclass
class FakeOutcome:
    verdict: str
    reasons: list = field(default_factory=list)
    exit_code: int = 0
    documents: list = field(default_factory=list)


def pytest_hhl_finish_run(run_dir, run, checks, environment, secrets, baseline_dir):
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "fake-results.json").write_text(json.dumps(
        {"run": run.to_json(), "checks": [c.to_json() for c in checks], "environment": environment,
         "secret_count": len(secrets)}))
    statuses = {c.status for c in checks}
    if statuses & {"blocked", "error"}:
        return FakeOutcome("INCONCLUSIVE", ["a check did not run"], 2)
    if "failed" in statuses:
        return FakeOutcome("NO-GO", ["a check failed"], 1)
    return FakeOutcome("GO", [], 0)


@pytest.fixture
def broken():
    raise ValueError("fixture exploded")
"""

GATE_INI = """[pytest]
markers =
    check(id): check id
    area(name): area
    severity(level): severity
    writes(kind): writes
"""


class Gate:
    """A pytester project with the gate plugin; `run()` runs pytest in a subprocess and returns its results."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.report_dir = pytester.path / "run"
        self.runs = 0
        pytester.makeconftest(GATE_CONFTEST)
        pytester.makefile(".ini", pytest=GATE_INI)
        (pytester.path / "suites" / "api").mkdir(parents=True)

    def env_file(self, document: dict[str, Any], name: str = "target.yaml") -> Path:
        path = self.pytester.path / name
        path.write_text(yaml.safe_dump(document))
        return path

    def suite(self, source: str, name: str = "test_checks.py", area: str = "api") -> None:
        (self.pytester.path / "suites" / area).mkdir(parents=True, exist_ok=True)
        (self.pytester.path / "suites" / area / name).write_text(source)

    def run(self, *args: str) -> pytest.RunResult:
        """One harness run, each into a new run directory (the gate refuses to mix runs); `results()` reads it."""
        self.runs += 1
        self.report_dir = self.pytester.path / f"run-{self.runs}"
        return self.pytester.runpytest_subprocess("suites", "--report-dir", str(self.report_dir), *args)

    def results(self) -> dict[str, dict[str, Any]]:
        data = json.loads((self.report_dir / "fake-results.json").read_text())
        return {check["id"]: check for check in data["checks"]}


# --- fixtures (tests/checks/conftest.py and tests/ci/conftest.py expose them) ---------------------------------


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Route]], Server]]:
    servers: list[Server] = []

    def start(routes: dict[str, Route]) -> Server:
        servers.append(Server(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def api_server(serve: Callable[[dict[str, Route]], Server]) -> Server:
    return serve(API_ROUTES)


@pytest.fixture
def gate(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Gate:
    for name in ("HHL_TEST_USERNAME", "HHL_TEST_PASSWORD", "HHL_HUBSPOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return Gate(pytester)
