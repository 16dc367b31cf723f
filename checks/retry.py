"""Transient answers of the target are retried, never judged: a 429 (throttled) or a gateway 502/503/504 says
"not now", not "wrong". Bounded (3 tries, at most ~10 s of waiting), honouring `Retry-After` (capped), jittered
exponential backoff otherwise. Every attempt is sent and transcribed like any other exchange; an answer still
transient after the last try raises `TargetUnavailable`, a harness error: the check ends `error` (the verdict
INCONCLUSIVE), never `failed`.

A 5xx carrying the application's own error envelope (`{"error": ...}`, SPEC §3.9, e.g. the backend's 502
"Identity provider unavailable") is the target's answer, not the gateway's: it is returned at once, for the
check to judge. Load checks measure throttling and latency on purpose and switch retrying off
(`HttpClient(..., retry=NO_RETRY)`: every answer, a 429 included, is returned as it came; clients recording into
a `load.*` check's evidence do so by default).

>>> policy = RetryPolicy()
>>> policy.tries, sorted(policy.statuses)
(3, [429, 502, 503, 504])
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from checks.errors import TargetUnavailable

if TYPE_CHECKING:
    from checks.http import Response

__all__ = ["NO_RETRY", "RetryPolicy", "is_transient", "send_with_retry"]


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 3  # attempts in all, the first included
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    base_delay_s: float = 0.5  # first backoff (×2 each retry), jittered ×[0.5, 1.5)
    max_delay_s: float = 4.0  # cap of one wait, a longer Retry-After included
    total_wait_s: float = 10.0  # cap of all waits of one request
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, retry: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_delay_s)
        backoff = self.base_delay_s * 2 ** (retry - 1) * self.rng.uniform(0.5, 1.5)
        return min(backoff, self.max_delay_s)


NO_RETRY = RetryPolicy(tries=1)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_transient(response: Response, policy: RetryPolicy) -> bool:
    """A throttle or gateway answer worth another try (not the application's own error envelope)."""
    if response.status not in policy.statuses:
        return False
    if response.status == 429:
        return True
    body = response.json_or_none()
    return not (isinstance(body, dict) and "error" in body)


def send_with_retry(
    send: Callable[[], Response],
    policy: RetryPolicy,
    *,
    note: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """`send()` until the answer is not transient, at most `policy.tries` times. Each retry is noted (`note`),
    so the evidence says why there are several transcripts of one request. Still transient → TargetUnavailable."""
    if policy.tries <= 1:
        return send()  # retrying off: the caller judges every answer itself, a 429 included
    waited = 0.0
    answers: list[str] = []
    for attempt in range(1, policy.tries + 1):
        response = send()
        if not is_transient(response, policy):
            return response
        answers.append(f"{response.status}")
        if attempt == policy.tries:
            break
        remaining = policy.total_wait_s - waited
        if remaining <= 0:
            break
        wait = min(policy.delay(attempt, _header(response, "retry-after")), remaining)
        if note is not None:
            note(
                f"{response.method} {response.url} answered {response.status} (transient: "
                f"{_kind(response.status)}); retry {attempt} of {policy.tries - 1} after {wait:.1f} s"
            )
        sleep(wait)
        waited += wait
    raise TargetUnavailable(
        response.url,
        f"{response.method} answered {', '.join(answers)} in {len(answers)} tries over {waited:.1f} s "
        f"(transient: {_kind(response.status)}); last answer {response.describe()}",
    )


def _kind(status: int) -> str:
    return "throttled" if status == 429 else "gateway unavailable"


def _header(response: Response, name: str) -> str | None:
    return response.headers.get(name)
