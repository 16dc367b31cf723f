"""Runtime faults of the HubSpot stand-in (429 × N with Retry-After, 5xx × N, latency, outage), global or scoped to
one contact's email, and the per-contact request ledger that judges whether a client honoured Retry-After.

Hook bodies (`POST /__standin/faults`), one kind per request, each with an optional `"email"` scope:
    {"status": 429, "count": N, "retry_after": S}   the next N requests answer 429 with `Retry-After: S`
    {"status": 500, "count": N}                     the next N requests answer that 5xx (500..599)
    {"latency_ms": N}                               every request waits N ms first (0 clears)
    {"outage": true}                                every request answers 503 (false clears)
    {"search_lag_ms": N}                            search does not see contacts created less than N ms ago
                                                    (HubSpot's search index lags; 0 clears)
A POST replaces that kind in its scope and keeps the other kinds. A request about a contact (search by email, create
with that email, get/patch of that contact's id) sees that email's faults on top of the global ones: an outage or
latency in either applies, and a counted fault (429, 5xx) is drawn from the contact's own count first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_LEDGER_MAX = 2000  # entries kept per contact; a forgotten long run must not grow without bound


class _Scoped(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str | None = Field(default=None, max_length=254)


class RateLimitFault(_Scoped):
    status: Literal[429]
    count: int = Field(ge=1, le=10_000)
    retry_after: int = Field(default=1, ge=0, le=60)


class ServerErrorFault(_Scoped):
    status: int = Field(ge=500, le=599)
    count: int = Field(ge=1, le=10_000)


class LatencyFault(_Scoped):
    latency_ms: int = Field(ge=0, le=30_000)


class OutageFault(_Scoped):
    outage: bool


class SearchLagFault(_Scoped):
    search_lag_ms: int = Field(ge=0, le=600_000)


FaultRequest = RateLimitFault | ServerErrorFault | LatencyFault | OutageFault | SearchLagFault


@dataclass
class FaultSet:
    rate_limit_count: int = 0
    retry_after: int = 1
    server_error_count: int = 0
    server_error_status: int = 500
    latency_ms: int = 0
    outage: bool = False
    search_lag_ms: int = 0

    def apply(self, fault: FaultRequest) -> None:
        if isinstance(fault, RateLimitFault):
            self.rate_limit_count, self.retry_after = fault.count, fault.retry_after
        elif isinstance(fault, ServerErrorFault):
            self.server_error_count, self.server_error_status = fault.count, fault.status
        elif isinstance(fault, LatencyFault):
            self.latency_ms = fault.latency_ms
        elif isinstance(fault, SearchLagFault):
            self.search_lag_ms = fault.search_lag_ms
        else:
            self.outage = fault.outage

    @property
    def empty(self) -> bool:
        return not (
            self.rate_limit_count or self.server_error_count or self.latency_ms or self.outage or self.search_lag_ms
        )

    def as_json(self) -> dict:
        return {
            "rate_limit": {"count": self.rate_limit_count, "retry_after": self.retry_after}
            if self.rate_limit_count
            else None,
            "server_error": {"count": self.server_error_count, "status": self.server_error_status}
            if self.server_error_count
            else None,
            "latency_ms": self.latency_ms,
            "outage": self.outage,
            "search_lag_ms": self.search_lag_ms,
        }


@dataclass
class FaultBoard:
    """Not locked itself: `HubSpotContext.lock` guards it."""

    everyone: FaultSet = field(default_factory=FaultSet)
    scoped: dict[str, FaultSet] = field(default_factory=dict)

    def applicable(self, email: str | None) -> list[FaultSet]:
        """The fault sets a request about `email` sees: the contact's own first, then the global one."""
        scoped = self.scoped.get(email) if email else None
        return [scoped, self.everyone] if scoped is not None else [self.everyone]

    def add(self, fault: FaultRequest) -> None:
        email = (fault.email or "").strip().lower()
        target = self.scoped.setdefault(email, FaultSet()) if email else self.everyone
        target.apply(fault)

    def clear(self, email: str | None) -> None:
        if email:
            self.scoped.pop(email, None)
        else:
            self.everyone = FaultSet()

    def reset(self) -> None:
        self.everyone = FaultSet()
        self.scoped.clear()

    def as_json(self) -> dict:
        return {
            "global": self.everyone.as_json(),
            "contacts": {email: faults.as_json() for email, faults in sorted(self.scoped.items()) if not faults.empty},
        }


@dataclass(frozen=True)
class RetryWindow:
    """A contact's last planted 429: when it was answered and when its Retry-After lets the client back in (epoch s)."""

    answered_at: float
    not_before: float


@dataclass
class Ledger:
    """Requests about each contact, and each contact's Retry-After window."""

    entries: dict[str, deque[dict]] = field(default_factory=dict)
    windows: dict[str, RetryWindow] = field(default_factory=dict)

    def record(self, email: str, entry: dict) -> None:
        self.entries.setdefault(email, deque(maxlen=_LEDGER_MAX)).append(entry)

    def of(self, email: str) -> list[dict]:
        return list(self.entries.get(email, ()))

    def clear(self, email: str | None) -> None:
        if email:
            self.entries.pop(email, None)
            self.windows.pop(email, None)
        else:
            self.entries.clear()
            self.windows.clear()
