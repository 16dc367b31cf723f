"""A small HubSpot CRM v3 contacts client with SPEC §7's retry rules (httpx + tenacity).

429 → wait `Retry-After` (capped at 10 s); 5xx or a network error → exponential backoff with full jitter (base 0.5 s,
×2, cap 8 s); at most 5 attempts, counted per user when a `RetryBudget` is shared by that user's requests; any other
4xx is final. Sleep, jitter and clock are injectable so tests never really wait. The token never leaves the
Authorization header: not in reprs, exceptions or logs.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import tenacity

MAX_ATTEMPTS = 5
RETRY_AFTER_CAP_S = 10.0
BACKOFF_BASE_S = 0.5
BACKOFF_FACTOR = 2.0
BACKOFF_CAP_S = 8.0
DEFAULT_TIMEOUT_S = 10.0
CONTACTS = "/crm/v3/objects/contacts"
PROPERTIES = "/crm/v3/properties/contacts"
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


class HubSpotError(Exception):
    """A HubSpot call that failed for good; the message names the operation, status and category only."""

    def __init__(self, operation: str, status: int | None, category: str = "", message: str = "") -> None:
        shown = status if status is not None else "network"
        super().__init__(f"HubSpot {operation} failed: {shown} {category}".strip())
        self.operation = operation
        self.status = status
        self.category = category
        self.detail = message  # HubSpot's own message (may quote values): for callers, never for logs


class ContactExists(HubSpotError):
    """409 on create: the email already has a contact; `existing_id` when HubSpot's message names it."""

    @property
    def existing_id(self) -> str | None:
        match = _EXISTING_ID.search(self.detail)
        return match.group(1) if match else None


class _Retryable(Exception):
    """One failed attempt that the policy retries: a 429, a retryable 5xx, or a transport error."""

    def __init__(self, status: int | None, retry_after: str | None = None, category: str = "") -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after
        self.category = category


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def backoff_ceiling(retry_number: int) -> float:
    """The upper bound of the n-th retry's full-jitter wait (n ≥ 1): 0.5, 1, 2, 4, 8, 8 ... seconds."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * BACKOFF_FACTOR ** (retry_number - 1))


def full_jitter(ceiling: float) -> float:
    return random.uniform(0.0, ceiling)


def _retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not header:
        return None
    try:
        return float(header.strip())
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - (now or datetime.now(UTC))).total_seconds()


def honour_retry_after(header: str | None, backoff: float) -> float:
    """The wait after a 429: the server's Retry-After capped at 10 s; the jittered backoff when it sent none."""
    seconds = _retry_after_seconds(header)
    if seconds is None:
        return backoff
    return min(RETRY_AFTER_CAP_S, max(0.0, seconds))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = MAX_ATTEMPTS
    # Which HTTP statuses are retried (transport errors always are).
    retryable_status: Callable[[int], bool] = is_retryable_status
    # (Retry-After header or None, the jittered backoff) → seconds to wait after a 429.
    throttle_delay: Callable[[str | None, float], float] = honour_retry_after
    # ceiling → the jittered wait in [0, ceiling].
    jitter: Callable[[float], float] = full_jitter
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass
class RetryBudget:
    """Failed attempts still allowed for one user's sync (SPEC §7: ≤ 5 per user per invocation), and an optional
    monotonic deadline past which no retry is started (the Lambda's remaining time)."""

    attempts_left: int = MAX_ATTEMPTS
    deadline: float | None = None
    retries: int = 0
    waited_s: float = 0.0


@dataclass(frozen=True)
class Contact:
    id: str
    properties: dict[str, Any] = field(default_factory=dict)


def _contact(body: Mapping[str, Any]) -> Contact:
    return Contact(id=str(body["id"]), properties=dict(body.get("properties") or {}))


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("category") or ""), str(body.get("message") or "")


class HubSpotClient:
    """The contacts and property-definition calls the consumer and the provisioning command make. `http` is any
    httpx.Client (tests: a MockTransport or starlette's TestClient on the stand-in); None = a pooled client of our
    own with `timeout_s`. Each call takes an optional RetryBudget shared by one user's calls."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = http if http is not None else httpx.Client(timeout=timeout_s)
        self.retry = retry or RetryPolicy()

    def __repr__(self) -> str:
        return f"HubSpotClient(base_url={self.base_url!r})"

    def new_budget(self, deadline: float | None = None) -> RetryBudget:
        return RetryBudget(attempts_left=self.retry.max_attempts, deadline=deadline)

    # ---- contacts -------------------------------------------------------------------------------------------

    def search_by_email(
        self, email: str, properties: Iterable[str] = (), budget: RetryBudget | None = None
    ) -> Contact | None:
        body = {
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}],
            "properties": ["email", *properties],
            "limit": 1,
        }
        found = self._call("search", "POST", f"{CONTACTS}/search", budget, json=body).json()
        results = found.get("results") or []
        return _contact(results[0]) if results else None

    def create_contact(self, properties: Mapping[str, str], budget: RetryBudget | None = None) -> Contact:
        """POST a new contact; raises ContactExists on 409."""
        return _contact(self._call("create", "POST", CONTACTS, budget, json={"properties": dict(properties)}).json())

    def get_contact(
        self, contact_id: str, properties: Iterable[str] = (), budget: RetryBudget | None = None
    ) -> Contact | None:
        params = {"properties": ",".join(properties)} if properties else None
        response = self._call("get", "GET", f"{CONTACTS}/{contact_id}", budget, params=params, missing_ok=True)
        return None if response.status_code == 404 else _contact(response.json())

    def update_contact(
        self, contact_id: str, properties: Mapping[str, str], budget: RetryBudget | None = None
    ) -> Contact:
        body = {"properties": dict(properties)}
        return _contact(self._call("update", "PATCH", f"{CONTACTS}/{contact_id}", budget, json=body).json())

    # ---- property definitions (provisioning) ----------------------------------------------------------------

    def create_property_group(self, name: str, label: str) -> bool:
        """True = created, False = it already exists (409)."""
        body = {"name": name, "label": label, "displayOrder": -1}
        return self._create("create_group", f"{PROPERTIES}/groups", body)

    def create_property(self, definition: Mapping[str, Any]) -> bool:
        return self._create("create_property", PROPERTIES, dict(definition))

    def _create(self, operation: str, path: str, body: dict[str, Any]) -> bool:
        try:
            self._call(operation, "POST", path, None, json=body)
        except HubSpotError as exc:
            if exc.status == 409:
                return False
            raise
        return True

    # ---- one request, with retries --------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        budget: RetryBudget | None,
        *,
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        budget = budget if budget is not None else self.new_budget()
        policy = self.retry
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}

        def attempt() -> httpx.Response:
            try:
                # The timeout is the client's own (ours: timeout_s; a caller's http= brings its own).
                response = self._http.request(method, self.base_url + path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                raise _Retryable(None) from exc
            if response.is_success or (missing_ok and response.status_code == 404):
                return response
            category, message = _error_fields(response)
            if policy.retryable_status(response.status_code):
                raise _Retryable(response.status_code, response.headers.get("Retry-After"), category)
            error = ContactExists if response.status_code == 409 and operation == "create" else HubSpotError
            raise error(operation, response.status_code, category, message)

        def wait(state: tenacity.RetryCallState) -> float:
            failure = state.outcome.exception() if state.outcome else None
            backoff = policy.jitter(backoff_ceiling(state.attempt_number))
            if isinstance(failure, _Retryable) and failure.status == 429:
                return policy.throttle_delay(failure.retry_after, backoff)
            return backoff

        def stop(state: tenacity.RetryCallState) -> bool:
            budget.attempts_left -= 1
            too_late = budget.deadline is not None and policy.clock() + state.upcoming_sleep > budget.deadline
            return budget.attempts_left <= 0 or too_late

        def count(state: tenacity.RetryCallState) -> None:
            budget.retries += 1
            budget.waited_s += state.upcoming_sleep

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            wait=wait,
            stop=stop,
            sleep=policy.sleep,
            before_sleep=count,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as exc:
            raise HubSpotError(operation, exc.status, exc.category or "RETRIES_EXHAUSTED") from exc

    def close(self) -> None:
        self._http.close()
