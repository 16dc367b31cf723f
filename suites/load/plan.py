"""What the harness hands the load engine (suites/load/engine.py, a child process): the calls, the concurrency, the
bounds, the rate budget and the name of the acceptance predicate, as plain JSON. The session cookies travel with the
plan on the child's stdin, never in its argv, environment or output.

>>> plan = LoadPlan("http://127.0.0.1:8401", [Call("me", "GET", "/auth/me")], concurrency=2, accept="route_answer")
>>> LoadPlan.from_json(plan.to_json()).calls[0].label
'me'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["Call", "EngineSettings", "LoadPlan", "PacerState"]


@dataclass(frozen=True)
class Call:
    """One request of the load: `label` groups the figures (route or event kind)."""

    label: str
    method: str
    path: str
    params: Mapping[str, str] | None = None
    json: Any = None


@dataclass(frozen=True)
class PacerState:
    """A token bucket as the engine resumes it: `tokens` left of `burst`, refilled at `rate` per second."""

    burst: float
    rate: float
    tokens: float

    def share(self, parts: int) -> PacerState:
        """One worker's part of the budget: the bucket split evenly, so that all workers together keep the rate."""
        return PacerState(self.burst / parts, self.rate / parts, self.tokens / parts)


@dataclass(frozen=True)
class EngineSettings:
    """How the engine runs: `workers` 0 = one process (Locust's LocalRunner); N = a Locust master with N workers.
    `external_workers`: the workers are started elsewhere (`python -m suites.load.engine worker ...`) instead of
    by the master on this machine; `master_bind_host`/`master_port` are where the master listens for them."""

    workers: int = 0
    external_workers: bool = False
    master_bind_host: str = "127.0.0.1"
    master_port: int = 0  # 0: a free port (local workers only)
    worker_connect_timeout_s: float = 30.0


@dataclass(frozen=True)
class LoadPlan:
    base_url: str
    calls: list[Call]
    concurrency: int
    accept: str  # a name in suites.load.predicates.PREDICATES
    deadline_s: float = 60.0
    request_timeout_s: float = 10.0
    pacer: PacerState | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # sent on every request (User-Agent, X-Hhl-Run)
    cookies: Mapping[str, str] = field(default_factory=dict, repr=False)  # secret: stdin only
    engine: EngineSettings = EngineSettings()

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency {self.concurrency}: at least 1")
        if self.deadline_s <= 0:
            raise ValueError(f"deadline {self.deadline_s} s: must be positive")
        if self.engine.workers < 0:
            raise ValueError(f"load workers {self.engine.workers}: 0 (one process) or more")
        if self.engine.workers and self.concurrency < self.engine.workers:
            raise ValueError(f"concurrency {self.concurrency} below {self.engine.workers} workers: a worker idles")

    def slice(self, index: int, parts: int) -> LoadPlan:
        """Worker `index` of `parts`: every parts-th call from `index`, its share of the concurrency and budget."""
        users = self.concurrency // parts + (1 if index < self.concurrency % parts else 0)
        pacer = self.pacer.share(parts) if self.pacer else None
        # A slice runs inside one worker: the distribution settings stay with the master.
        return replace(self, calls=self.calls[index::parts], concurrency=users, pacer=pacer, engine=EngineSettings())

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LoadPlan:
        raw = json.loads(text)
        try:
            return cls(
                **raw
                | {
                    "calls": [Call(**c) for c in raw["calls"]],
                    "pacer": PacerState(**raw["pacer"]) if raw.get("pacer") else None,
                    "engine": EngineSettings(**raw.get("engine") or {}),
                }
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a load plan: {exc}") from None
