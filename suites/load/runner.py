"""The harness side of a load: the check's calls, bounds and rate budget become a plan for the load engine
(suites/load/engine.py, Locust in a child process: never imported here), the plan and the session cookies go to
the child on stdin, and its report comes back as the load summary. The first exchange of each label is written
into the check's evidence as a transcript (200 transcripts would bury the evidence); failures are summarised in
the summary JSON instead.

>>> result = run_load(env.api_base_url, [Call("auth/me", "GET", "/auth/me")] * 200, concurrency=10,  # doctest: +SKIP
...                   cookies={"hhl_access_token": token}, evidence=evidence, accept="signed_in_read", pacer=pacer)
>>> result.summary()["all"]["p95_ms"]
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.http import HttpClient
from checks.redaction import redact_text
from suites.load.pacing import Pacer
from suites.load.plan import Call, EngineSettings, LoadPlan
from suites.load.predicates import predicate
from suites.load.stats import summarize

__all__ = ["Call", "LoadResult", "load_window", "run_load"]

ENGINE = [sys.executable, "-m", "suites.load.engine", "run"]
STARTUP_ALLOWANCE_S = 30.0  # the child's start (Locust's import, workers connecting) beyond the load's own bounds
STDERR_TAIL_CHARS = 2000


@dataclass(frozen=True)
class LoadResult:
    """What a load run reported: the summary figures (`load-summary.json`) and the pacer's end state."""

    figures: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return self.figures

    @property
    def not_sent(self) -> int:
        return int(self.figures["not_sent"])


class _Window:
    """Wall-clock span of the load sent from this process (load.alarms_quiet_after observes after its end)."""

    def __init__(self) -> None:
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self._lock = threading.Lock()

    def mark(self, started: datetime, ended: datetime) -> None:
        with self._lock:
            self.started = min(self.started or started, started)
            self.ended = max(self.ended or ended, ended)


_WINDOW = _Window()


def load_window() -> tuple[datetime | None, datetime | None]:
    """(first load request, end of the last load run) in this process, UTC; (None, None) before any load."""
    return _WINDOW.started, _WINDOW.ended


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path.split("?")[0]).strip("-")[:60] or "root"


def write_transcript(evidence: Evidence, exchange: Mapping[str, Any]) -> Path:
    """One engine exchange as a curl-style transcript (`NN-<METHOD>-<path>.txt`, as checks.http writes them)."""
    method, target = exchange["method"], exchange["target"]
    lines = [f"# sent by the load engine (Locust), label {exchange['label']!r}", "", f"> {method} {target} HTTP/1.1"]
    lines += [f"> {name}: {value}" for name, value in exchange["request_headers"]]
    lines.append(">")
    if exchange["request_body"] is not None:
        lines.append(exchange["request_body"])
    lines.append("")
    if exchange["status"]:
        lines.append(f"< HTTP/1.1 {exchange['status']}")
        lines += [f"< {name}: {value}" for name, value in exchange["response_headers"]]
        lines += ["<", exchange["body"]]
    else:
        lines.append(f"! {exchange['error'] or 'no answer'}")
    name = f"{evidence.next_sequence():02d}-{method}-{_slug(target)}.txt"
    return evidence.attach_text(name, "\n".join(lines) + "\n")


def _run_engine(plan: LoadPlan) -> dict[str, Any]:
    """The child with the plan on stdin; its report read from a 0600 file in a private directory."""
    with tempfile.TemporaryDirectory(prefix="hhl-load-") as private:  # 0700: the report is ours alone
        out = Path(private) / "report.json"
        bound = plan.deadline_s + plan.request_timeout_s + STARTUP_ALLOWANCE_S + plan.engine.worker_connect_timeout_s
        child = subprocess.Popen(
            [*ENGINE, "--out", str(out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its workers are in its group: ended with it on a timeout
        )
        try:
            _, stderr = child.communicate(plan.to_json(), timeout=bound)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise HarnessError(f"the load engine did not finish within {bound:.0f} s (killed)") from None
        if child.returncode != 0 or not out.exists():
            tail = redact_text(stderr or "")[-STDERR_TAIL_CHARS:]
            raise HarnessError(f"the load engine failed (exit {child.returncode}): {tail.strip() or 'no output'}")
        return json.loads(out.read_text(encoding="utf-8"))


def run_load(
    base_url: str,
    calls: Sequence[Call],
    *,
    concurrency: int,
    cookies: Mapping[str, str],
    evidence: Evidence | None,
    accept: str,
    pacer: Pacer | None = None,
    deadline_s: float = 60.0,
    engine: EngineSettings | None = None,
) -> LoadResult:
    """Send `calls` with at most `concurrency` in flight, every answer judged by the predicate named `accept`
    (suites.load.predicates); calls not started by `deadline_s` are never sent and counted in `not_sent`."""
    predicate(accept)  # an unknown name is the check's mistake: refused before any child starts
    with HttpClient(base_url) as template:  # the headers every harness request carries (User-Agent, run id)
        headers = dict(template.headers)
    plan = LoadPlan(
        base_url.rstrip("/"),
        list(calls),
        concurrency=concurrency,
        accept=accept,
        deadline_s=deadline_s,
        pacer=pacer.snapshot() if pacer else None,
        headers=headers,
        cookies=dict(cookies),
        engine=engine or EngineSettings(),
    )
    wall_start = datetime.now(UTC)
    raw = _run_engine(plan)
    _WINDOW.mark(wall_start, datetime.now(UTC))
    if pacer is not None and raw.get("pacer_tokens") is not None:
        pacer.settle(float(raw["pacer_tokens"]))
    if evidence is not None:
        for exchange in raw["transcripts"]:
            write_transcript(evidence, exchange)
    return LoadResult(summarize(raw))
