"""The load engine's Locust user and its job (child process only: this module imports Locust, which monkey-patches
with gevent). Every user takes the next call of the process's job, waits for the rate budget, sends it with
`catch_response`, judges the answer with the check's named predicate and files a failure under its kind, so that
Locust's stats count exactly the answers the check rejects. The job keeps what Locust does not: the status tally,
the first failures' excerpts and the first exchange of each label (the check's transcripts). No cookie value is
ever written to any of these."""

from __future__ import annotations

import json
from collections import Counter, deque
from typing import Any
from urllib.parse import urlencode

from gevent.event import Event
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

from suites.load.pacing import Pacer
from suites.load.plan import Call, LoadPlan
from suites.load.predicates import Answer, failure_kind, predicate

__all__ = ["Job", "LoadUser"]

MAX_FAILURE_EXCERPTS = 10
MAX_BODY_CHARS = 64 * 1024  # of a transcribed body, as checks.http
EXCERPT_CHARS = 120


def _body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


class Job:
    """One process's share of the load: the calls not yet taken, those in flight, and the record of the answers."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.accept = predicate(plan.accept)
        self.pending: deque[Call] = deque(plan.calls)
        self.in_flight = 0
        self.stopped = False
        self.pacer = Pacer.resume(plan.pacer) if plan.pacer else None
        self.statuses: dict[str, Counter[str]] = {}
        self.excerpts: list[dict[str, Any]] = []
        self.transcripts: list[dict[str, Any]] = []
        self._transcribed: set[str] = set()
        self.done = Event()
        if not self.pending:
            self.done.set()
        self.headers = dict(plan.headers)
        if plan.cookies:
            self.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in plan.cookies.items())

    def take(self) -> Call | None:
        if self.stopped or not self.pending:
            return None
        self.in_flight += 1
        return self.pending.popleft()

    def finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0 and (self.stopped or not self.pending):
            self.done.set()

    def stop(self) -> None:
        """The deadline: calls not taken yet are never sent (counted in `not_sent`); those in flight finish."""
        self.stopped = True
        if self.in_flight == 0:
            self.done.set()

    def record(self, call: Call, target: str, answer: Answer, kind: str | None, text: str, response: Any) -> None:
        self.statuses.setdefault(call.label, Counter())[str(answer.status)] += 1
        error = str(getattr(response, "error", "") or "")
        if kind and len(self.excerpts) < MAX_FAILURE_EXCERPTS:
            content_type = (response.headers or {}).get("content-type", "no content type") if answer.status else ""
            shown = text[:EXCERPT_CHARS] if answer.status else error[:EXCERPT_CHARS]
            self.excerpts.append(
                {
                    "label": call.label,
                    "request": f"{call.method} {call.path}",
                    "status": answer.status,
                    "kind": kind,
                    "answer": f"{answer.status} {content_type} {shown!r}".strip(),
                }
            )
        if call.label not in self._transcribed:
            self._transcribed.add(call.label)
            self.transcripts.append(self._transcript(call, target, answer, text, response, error))

    def _transcript(self, call: Call, target: str, answer: Answer, text: str, response: Any, error: str) -> dict:
        sent = {k: v for k, v in self.headers.items() if k.lower() != "cookie"}
        if self.plan.cookies:  # the names only: the values stay in this process
            sent["Cookie"] = "; ".join(f"{name}=[sent, not recorded]" for name in self.plan.cookies)
        headers = list((response.headers or {}).items()) if answer.status else []
        return {
            "label": call.label,
            "method": call.method,
            "target": target,
            "request_headers": sorted(sent.items()),
            "request_body": json.dumps(call.json) if call.json is not None else None,
            "status": answer.status,
            "response_headers": headers,
            "body": text[:MAX_BODY_CHARS],
            "error": error,
        }

    def report(self) -> dict[str, Any]:
        return {
            "statuses": {label: dict(counter) for label, counter in self.statuses.items()},
            "failure_excerpts": self.excerpts,
            "transcripts": self.transcripts,
            "not_sent": len(self.pending),
            "pacer_tokens": self.pacer.snapshot().tokens if self.pacer else None,
        }


class LoadUser(FastHttpUser):
    """One of the `concurrency` users. `job` is set by the engine before any user spawns."""

    wait_time = constant(0)
    job: Job | None = None  # redirects are results (allow_redirects off), as in checks.http

    @classmethod
    def configure(cls, job: Job) -> None:
        cls.job, cls.host = job, job.plan.base_url
        cls.network_timeout = cls.connection_timeout = job.plan.request_timeout_s

    @task
    def send_next(self) -> None:
        job = LoadUser.job
        call = job.take() if job else None
        if job is None or call is None:
            raise StopUser()
        try:
            if job.pacer is not None:
                job.pacer.acquire()
            self._send(job, call)
        finally:
            job.finished()

    def _send(self, job: Job, call: Call) -> None:
        target = call.path + (f"?{urlencode(call.params)}" if call.params else "")
        extra: dict[str, Any] = {"json": call.json} if call.json is not None else {}
        with self.client.request(
            call.method,
            target,
            name=call.label,
            headers=job.headers,
            catch_response=True,
            allow_redirects=False,
            **extra,
        ) as response:
            status = int(response.status_code or 0)
            text = (response.text or "") if status else ""
            answer = Answer(call.label, status, _body(text) if text else None)
            kind = failure_kind(answer, accepted=bool(status) and job.accept(answer))
            if kind:
                response.failure(kind)
            else:
                response.success()
        job.record(call, target, answer, kind, text, response)
