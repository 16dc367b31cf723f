"""Fixtures for the CRM consumer: moto's in-process DynamoDB (tests/backend/data's fixtures), the real store, the
fake HubSpot behind an httpx transport, a consumer from `create_consumer`, and Lambda-shaped stream records read
from moto's DynamoDB Streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hhl_backend.config import Settings
from hhl_backend.crm.config import CrmSettings, load_crm_settings
from hhl_backend.crm.handler import CrmConsumer, create_consumer
from hhl_backend.crm.hubspot import RetryPolicy
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.store import Store

from tests.backend.auth_fakes import base_env
from tests.backend.crm.fake_hubspot import TOKEN, FakeHubSpot
from tests.backend.crm.streams import Streams
from tests.backend.crm.values import EMAIL, HUBSPOT, SUB, Sleeper
from tests.backend.data import store_fixtures as data_fixtures

# The data half's moto fixtures, shared rather than copied.
aws_env = data_fixtures.aws_env
ddb = data_fixtures.ddb
atomic_moto = data_fixtures.atomic_moto
catalog = data_fixtures.catalog
store = data_fixtures.store
caller = data_fixtures.caller
api = data_fixtures.api


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
def policy(sleeper: Sleeper) -> RetryPolicy:
    """The production retry rules with the sleep/clock replaced and the jitter pinned to its ceiling."""
    return RetryPolicy(sleep=sleeper.sleep, clock=sleeper.clock, jitter=lambda ceiling: ceiling)


@pytest.fixture
def seams(policy: RetryPolicy) -> CrmSeams:
    return CrmSeams(retry=policy)


@pytest.fixture
def crm_settings(settings: Settings) -> CrmSettings:
    return load_crm_settings(base_env(HUBSPOT_BASE_URL=HUBSPOT))


@pytest.fixture
def hubspot() -> FakeHubSpot:
    return FakeHubSpot()


ConsumerFactory = Callable[..., CrmConsumer]


@pytest.fixture
def make_consumer(crm_settings: CrmSettings, hubspot: FakeHubSpot, seams: CrmSeams, ddb: Any) -> ConsumerFactory:
    def factory(seams_: CrmSeams | None = None) -> CrmConsumer:
        return create_consumer(crm_settings, seams=seams_ or seams, token=TOKEN, http=hubspot.client())

    return factory


@pytest.fixture
def consumer(make_consumer: ConsumerFactory) -> CrmConsumer:
    return make_consumer()


@pytest.fixture
def learner(store: Store) -> str:
    """A signed-in learner: the PROFILE item a login writes."""
    store.upsert_user_profile(SUB, {"email": EMAIL, "name": "Ada", "cognito:username": SUB})
    return SUB


@pytest.fixture
def streams(ddb: Any, store: Store) -> Streams:
    tables = store.tables
    return Streams(ddb, (tables.users, tables.enrollments, tables.progress, tables.badges))
