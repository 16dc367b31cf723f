"""crm/handler.py: Lambda-shaped DynamoDB Streams batches → one sync per user, partial batch responses, the
feedback-loop guard, the SSM token read once per container, and logs without tokens or emails."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from hhl_backend.config import ConfigError
from hhl_backend.crm import handler as handler_module
from hhl_backend.crm.handler import CrmConsumer, create_consumer
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.logs import hash_email, logger
from hhl_backend.store import Store

from tests.backend.auth_fakes import base_env
from tests.backend.crm.fake_hubspot import TOKEN, FakeHubSpot
from tests.backend.crm.streams import REGION, Streams, event_of
from tests.backend.crm.values import EMAIL, HUBSPOT, SUB

COURSE = "course-authoring-101"
OTHER = "learner-2"
OTHER_EMAIL = "grace@example.test"


def patches(hubspot: FakeHubSpot) -> list[tuple[str, str]]:
    return [r for r in hubspot.requests if r[0] == "PATCH"]


def test_a_new_learner_gets_a_contact_and_its_id_is_stored(
    consumer: CrmConsumer, learner: str, store: Store, streams: Streams, hubspot: FakeHubSpot
) -> None:
    store.enroll_course(SUB, COURSE, pathway_slug=None, source="test")
    assert consumer(event_of(streams.drain())) == {"batchItemFailures": []}
    [(contact_id, contact)] = hubspot.contacts.items()
    assert contact["email"] == EMAIL and contact["lifecyclestage"] == "lead"
    assert contact["hhl_enrolled_courses"] == COURSE
    assert store.get_user_profile(SUB)["hubspotContactId"] == contact_id


def test_one_sync_per_user_per_invocation(
    consumer: CrmConsumer, learner: str, store: Store, streams: Streams, hubspot: FakeHubSpot
) -> None:
    store.upsert_user_profile(OTHER, {"email": OTHER_EMAIL})
    for module in ("authoring-basics", "authoring-media-and-metadata"):
        store.record_module_event(SUB, module_slug=module, course_slug=None, pathway_slug=None, completed=True)
    store.enroll_course(OTHER, COURSE, pathway_slug=None, source=None)
    records = streams.drain()
    assert len(records) > 10
    assert consumer(event_of(records)) == {"batchItemFailures": []}
    assert len(hubspot.contacts) == 2
    assert len(patches(hubspot)) == 2  # one PATCH per user, however many records


def test_a_failing_user_fails_exactly_its_own_records(
    consumer: CrmConsumer, learner: str, store: Store, streams: Streams, hubspot: FakeHubSpot
) -> None:
    store.upsert_user_profile(OTHER, {"email": OTHER_EMAIL})
    store.enroll_course(SUB, COURSE, pathway_slug=None, source=None)
    store.enroll_course(OTHER, COURSE, pathway_slug=None, source=None)
    hubspot.broken.add(OTHER_EMAIL)
    records = streams.drain()
    others = {r["dynamodb"]["SequenceNumber"] for r in records if OTHER in r["dynamodb"]["Keys"]["PK"]["S"]}
    response = consumer(event_of(records))
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == others
    assert [c["email"] for c in hubspot.contacts.values()] == [EMAIL]
    # Lambda retries the failed records; HubSpot is back: they now succeed.
    hubspot.broken.clear()
    failed = [r for r in records if r["dynamodb"]["SequenceNumber"] in others]
    assert consumer(event_of(failed)) == {"batchItemFailures": []}
    assert sorted(c["email"] for c in hubspot.contacts.values()) == sorted([EMAIL, OTHER_EMAIL])


def test_every_record_failing_is_still_a_partial_response(
    consumer: CrmConsumer, learner: str, streams: Streams, hubspot: FakeHubSpot
) -> None:
    hubspot.broken.add(EMAIL.lower())
    records = streams.drain()
    response = consumer(event_of(records))
    assert len(response["batchItemFailures"]) == len(records)
    assert len(hubspot.requests) == 5  # SPEC §7: at most 5 attempts per user per invocation, then give up


def test_the_consumers_own_contact_id_write_does_not_sync_again(
    consumer: CrmConsumer, learner: str, streams: Streams, hubspot: FakeHubSpot
) -> None:
    consumer(event_of(streams.drain()))
    echo = streams.drain()
    assert [r["eventName"] for r in echo] == ["MODIFY"]  # moto streams the hubspotContactId write
    before = list(hubspot.requests)
    assert consumer(event_of(echo)) == {"batchItemFailures": []}
    assert hubspot.requests == before


def _modify(record: dict[str, Any], **changes: dict[str, str]) -> dict[str, Any]:
    shaped = copy.deepcopy(record)
    shaped["eventName"] = "MODIFY"
    shaped["dynamodb"]["OldImage"] = copy.deepcopy(shaped["dynamodb"]["NewImage"])
    shaped["dynamodb"]["NewImage"].update(changes)
    return shaped


@pytest.mark.parametrize(
    ("changes", "synced"),
    [
        ({"updatedAt": {"S": "2030-01-01T00:00:00.000Z"}}, False),
        ({"hubspotContactId": {"S": "42"}, "updatedAt": {"S": "2030-01-01T00:00:00.000Z"}}, False),
        ({"lastLoginAt": {"S": "2030-01-01T00:00:00.000Z"}}, True),
    ],
)
def test_modify_records_sync_only_on_a_real_change(
    consumer: CrmConsumer, learner: str, streams: Streams, hubspot: FakeHubSpot, changes: Any, synced: bool
) -> None:
    # moto streams an UpdateItem that creates an item as an INSERT of its keys, then a MODIFY: take the last.
    profile = [r for r in streams.drain() if r["dynamodb"]["Keys"]["SK"]["S"] == "PROFILE"][-1]
    consumer(event_of([_modify(profile, **changes)]))
    assert bool(patches(hubspot)) is synced


def test_remove_records_and_foreign_keys_are_ignored(
    consumer: CrmConsumer, learner: str, streams: Streams, hubspot: FakeHubSpot
) -> None:
    profile = streams.drain()[-1]
    removed = {**copy.deepcopy(profile), "eventName": "REMOVE"}
    foreign = copy.deepcopy(profile)
    foreign["dynamodb"]["Keys"] = {"PK": {"S": "CONFIG#x"}, "SK": {"S": "y"}}
    foreign["dynamodb"]["NewImage"] = {"PK": {"S": "CONFIG#x"}}
    assert consumer(event_of([removed, foreign])) == {"batchItemFailures": []}
    assert consumer({"Records": []}) == {"batchItemFailures": []}
    assert hubspot.requests == []


def test_no_sync_is_started_past_the_lambdas_deadline(
    consumer: CrmConsumer, learner: str, streams: Streams, hubspot: FakeHubSpot
) -> None:
    records = streams.drain()
    almost_out = SimpleNamespace(get_remaining_time_in_millis=lambda: 3000)  # inside the 5 s margin
    response = consumer(event_of(records), almost_out)
    assert len(response["batchItemFailures"]) == len(records)
    assert hubspot.requests == []


def test_create_consumer_defaults_to_the_correct_seams(crm_settings: Any, hubspot: FakeHubSpot, ddb: Any) -> None:
    consumer = create_consumer(crm_settings, token=TOKEN, http=hubspot.client())
    assert consumer.sync.seams == CrmSeams()
    assert consumer.sync.client.base_url == HUBSPOT


def test_no_token_parameter_is_a_configuration_error(crm_settings: Any, ddb: Any) -> None:
    with pytest.raises(ConfigError, match="HUBSPOT_TOKEN_PARAMETER"):
        create_consumer(crm_settings)


def test_lambda_handler_reads_the_token_from_ssm_once(
    monkeypatch: pytest.MonkeyPatch,
    learner: str,
    store: Store,
    streams: Streams,
    hubspot: FakeHubSpot,
    capfd: pytest.CaptureFixture[str],
) -> None:
    parameter = "/hedgehog-learn/local/hubspot-token"
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=parameter, Value=TOKEN, Type="SecureString")
    for name, value in base_env(HUBSPOT_BASE_URL=HUBSPOT, HUBSPOT_TOKEN_PARAMETER=parameter).items():
        monkeypatch.setenv(name, value)
    real = handler_module.create_consumer
    monkeypatch.setattr(handler_module, "create_consumer", lambda s: real(s, http=hubspot.client()))
    monkeypatch.setattr(handler_module, "_consumer", None)
    # A handler an earlier test attached writes to that test's captured stderr: start with none, so the cold start's
    # configure_logging attaches one to this test's.
    monkeypatch.setattr(logger, "handlers", [])
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 60_000)

    assert handler_module.handler(event_of(streams.drain()), context) == {"batchItemFailures": []}
    ssm.put_parameter(Name=parameter, Value="rotated-but-not-reread", Type="SecureString", Overwrite=True)
    store.enroll_course(SUB, COURSE, pathway_slug=None, source=None)
    assert handler_module.handler(event_of(streams.drain()), context) == {"batchItemFailures": []}
    [contact] = hubspot.contacts.values()
    assert contact["hhl_enrolled_courses"] == COURSE  # the second batch went through with the cached token

    logged = capfd.readouterr().err
    assert '"event":"crm_batch"' in logged and '"event":"crm_sync_user"' in logged
    assert hash_email(EMAIL) in logged
    assert TOKEN not in logged and EMAIL not in logged and EMAIL.lower() not in logged
