"""crm/hubspot.py: SPEC §7's retry rules (Retry-After honoured and capped, full-jitter backoff, ≤ 5 attempts, no
retry on other 4xx) and the contacts calls, against the fake HubSpot; sleeps are recorded, never slept."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hhl_backend.crm.hubspot import (
    BACKOFF_CAP_S,
    ContactExists,
    HubSpotClient,
    HubSpotError,
    RetryPolicy,
    backoff_ceiling,
    honour_retry_after,
)

from tests.backend.crm.fake_hubspot import TOKEN, FakeHubSpot, Fault
from tests.backend.crm.values import HUBSPOT, Sleeper

EMAIL = "grace@example.test"


@pytest.fixture
def client(hubspot: FakeHubSpot, policy: RetryPolicy) -> HubSpotClient:
    return HubSpotClient(HUBSPOT, TOKEN, http=hubspot.client(), retry=policy)


def test_search_create_get_update_round_trip(client: HubSpotClient, hubspot: FakeHubSpot) -> None:
    assert client.search_by_email(EMAIL) is None
    created = client.create_contact({"email": EMAIL, "lifecyclestage": "lead"})
    assert client.search_by_email(EMAIL.upper(), ["lifecyclestage"]).id == created.id
    client.update_contact(created.id, {"hhl_total_progress": "3"})
    assert client.get_contact(created.id, ["hhl_total_progress"]).properties["hhl_total_progress"] == "3"
    assert client.get_contact("999999") is None  # 404 is an answer, not an error
    assert hubspot.contacts[created.id]["email"] == EMAIL


def test_409_on_create_names_the_existing_contact(client: HubSpotClient, hubspot: FakeHubSpot) -> None:
    existing = hubspot.seed({"email": EMAIL})
    with pytest.raises(ContactExists) as caught:
        client.create_contact({"email": EMAIL})
    assert caught.value.status == 409 and caught.value.existing_id == existing


def test_429_waits_retry_after_seconds(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    hubspot.faults = [Fault(429, "3"), Fault(429, "1.5")]
    assert client.search_by_email(EMAIL) is None
    assert sleeper.waits == [3.0, 1.5]
    assert len(hubspot.requests) == 3


def test_retry_after_is_capped_at_10_s(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    hubspot.faults = [Fault(429, "60")]
    client.search_by_email(EMAIL)
    assert sleeper.waits == [10.0]


def test_retry_after_as_http_date() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    assert 3.0 <= honour_retry_after(soon, backoff=0.1) <= 5.0
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert honour_retry_after(past, backoff=0.1) == 0.0
    assert honour_retry_after("soon-ish", backoff=0.25) == 0.25  # unreadable: the backoff
    assert honour_retry_after(None, backoff=0.25) == 0.25


def test_429_without_retry_after_backs_off(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    hubspot.faults = [Fault(429), Fault(429)]
    client.search_by_email(EMAIL)
    assert sleeper.waits == [0.5, 1.0]


def test_5xx_backs_off_exponentially_up_to_five_attempts(
    client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper
) -> None:
    hubspot.faults = [Fault(500), Fault(502), Fault(503), Fault(504)]
    assert client.search_by_email(EMAIL) is None  # the 5th attempt succeeds
    assert sleeper.waits == [0.5, 1.0, 2.0, 4.0]


def test_at_most_five_attempts(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    hubspot.faults = [Fault(500)] * 10
    with pytest.raises(HubSpotError) as caught:
        client.search_by_email(EMAIL)
    assert caught.value.status == 500
    assert len(hubspot.requests) == 5
    assert len(sleeper.waits) == 4


def test_backoff_is_full_jitter_within_the_bounds(hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    rng = random.Random(11)
    policy = RetryPolicy(sleep=sleeper.sleep, clock=sleeper.clock, jitter=lambda c: rng.uniform(0, c), max_attempts=7)
    client = HubSpotClient(HUBSPOT, TOKEN, http=hubspot.client(), retry=policy)
    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [backoff_ceiling(n) for n in range(1, 7)] == ceilings
    for _ in range(30):
        sleeper.waits.clear()
        hubspot.faults = [Fault(503)] * 6
        client.search_by_email(EMAIL)
        assert all(0.0 <= wait <= ceiling for wait, ceiling in zip(sleeper.waits, ceilings, strict=True))
    assert max(ceilings) == BACKOFF_CAP_S
    # Full jitter: the waits are spread over [0, ceiling], not pinned to it.
    assert any(wait < ceiling / 2 for wait, ceiling in zip(sleeper.waits, ceilings, strict=True))


def test_network_errors_are_retried(policy: RetryPolicy, sleeper: Sleeper) -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"total": 0, "results": []})

    client = HubSpotClient(HUBSPOT, TOKEN, http=httpx.Client(transport=httpx.MockTransport(flaky)), retry=policy)
    assert client.search_by_email(EMAIL) is None
    assert len(calls) == 3 and sleeper.waits == [0.5, 1.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_other_4xx_is_not_retried(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper, status: int) -> None:
    hubspot.faults = [Fault(status)]
    with pytest.raises(HubSpotError) as caught:
        client.update_contact("1", {"hhl_total_progress": "1"})
    assert caught.value.status == status
    assert len(hubspot.requests) == 1 and sleeper.waits == []


def test_validation_error_is_final(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    contact = hubspot.seed({"email": EMAIL})
    with pytest.raises(HubSpotError) as caught:
        client.update_contact(contact, {"hhl_last_activity": ""})
    assert (caught.value.status, caught.value.category) == (400, "VALIDATION_ERROR")
    assert sleeper.waits == []


def test_one_budget_is_shared_by_a_users_requests(
    client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper
) -> None:
    budget = client.new_budget()
    hubspot.faults = [Fault(500)] * 3
    client.search_by_email(EMAIL, budget=budget)
    hubspot.faults = [Fault(500)] * 3
    with pytest.raises(HubSpotError):
        client.search_by_email(EMAIL, budget=budget)
    # 5 failed attempts in all for this user, whatever the request: 3 + 2, then it gives up.
    assert len(hubspot.requests) == 4 + 2
    assert budget.retries == 4 == len(sleeper.waits)


def test_no_retry_past_the_deadline(client: HubSpotClient, hubspot: FakeHubSpot, sleeper: Sleeper) -> None:
    budget = client.new_budget(deadline=sleeper.now + 2.0)
    hubspot.faults = [Fault(429, "5")]
    with pytest.raises(HubSpotError) as caught:
        client.search_by_email(EMAIL, budget=budget)
    assert caught.value.status == 429 and sleeper.waits == []


def test_the_token_appears_in_no_repr_or_error(client: HubSpotClient, hubspot: FakeHubSpot) -> None:
    hubspot.faults = [Fault(400)]
    with pytest.raises(HubSpotError) as caught:
        client.search_by_email(EMAIL)
    assert TOKEN not in repr(client) and TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    bad = HubSpotClient(HUBSPOT, "wrong", http=hubspot.client())
    with pytest.raises(HubSpotError) as unauthorised:
        bad.search_by_email(EMAIL)
    assert unauthorised.value.status == 401
