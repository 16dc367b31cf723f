"""Lambda entry of the CRM sync (`hhl_backend.crm.handler.handler`): DynamoDB Streams batches → one sync per user.

Records are processed with aws-lambda-powertools' BatchProcessor (partial batch response, itemIdentifier =
SequenceNumber). Its per-record handler memoises one outcome per user: the first record of a user runs that user's
sync (which recomputes everything, so it covers every later record too), the others reuse the outcome, and a user
whose sync failed fails all of its records. The token is read from SSM once per container and never logged.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import boto3
import httpx
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from hhl_backend.config import ConfigError
from hhl_backend.content import load_catalog
from hhl_backend.crm.config import CrmSettings, load_crm_settings
from hhl_backend.crm.hubspot import HubSpotClient
from hhl_backend.crm.seams import CrmSeams
from hhl_backend.crm.sync import CONTACT_ID_ATTRIBUTE, ContactSync, SyncError
from hhl_backend.logs import configure_logging, log_event
from hhl_backend.store import Store, dynamodb_client

SYNC_EVENTS = frozenset({"INSERT", "MODIFY"})
# Attributes whose change alone says nothing new about the learner. The consumer's own PROFILE write (the contact
# id) produces a MODIFY record (always in moto, in AWS only when the value changes): syncing on it would loop.
IGNORED_CHANGES = frozenset({CONTACT_ID_ATTRIBUTE, "updatedAt"})
DEADLINE_MARGIN_S = 5.0  # stop starting retries this long before the Lambda's timeout: fail records, don't time out

Consumer = Callable[..., dict[str, Any]]


def user_of(record: DynamoDBRecord) -> str | None:
    """The learner a record is about: `USER#<sub>` or `USER#<sub>#COURSE#<course>` keys, else the image's userId."""
    pk = record.dynamodb.keys.get("PK") if record.dynamodb else None
    if isinstance(pk, str) and pk.startswith("USER#"):
        sub = pk.removeprefix("USER#").split("#", 1)[0]
        if sub:
            return sub
    image = (record.dynamodb.new_image or record.dynamodb.old_image) if record.dynamodb else {}
    user_id = image.get("userId")
    return user_id if isinstance(user_id, str) and user_id else None


def _without_ignored(image: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in image.items() if k not in IGNORED_CHANGES}


def needs_sync(record: DynamoDBRecord) -> bool:
    """INSERT/MODIFY records that change something other than the contact id / updatedAt."""
    if record.event_name is None or record.event_name.name not in SYNC_EVENTS or record.dynamodb is None:
        return False
    if record.event_name.name == "MODIFY":
        old, new = record.dynamodb.old_image, record.dynamodb.new_image
        if old and new and _without_ignored(old) == _without_ignored(new):
            return False
    return True


class CrmConsumer:
    """Callable(event, context=None) → {"batchItemFailures": [...]}, the Lambda's partial batch response."""

    def __init__(self, sync: ContactSync, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.sync = sync
        self.clock = clock

    def _deadline(self, context: Any) -> float | None:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return self.clock() + remaining() / 1000.0 - DEADLINE_MARGIN_S if callable(remaining) else None

    def __call__(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        records = event.get("Records") or []
        if not records:  # powertools refuses an empty batch; there is nothing to fail
            return {"batchItemFailures": []}
        started = time.perf_counter()
        deadline = self._deadline(context)
        outcomes: dict[str, bool] = {}  # sub → synced

        def run(sub: str) -> bool:
            if deadline is not None and self.clock() > deadline:
                log_event("crm_sync_failed", level=logging.WARNING, reason="deadline")
                return False
            try:
                self.sync.sync_user(sub, deadline=deadline)
            except SyncError as exc:
                log_event("crm_sync_failed", level=logging.WARNING, reason=str(exc))
                return False
            except Exception:  # a bug must fail this user's records, not the other users' in the batch
                log_event("crm_sync_failed", level=logging.ERROR, exc_info=True, reason="unexpected")
                return False
            return True

        def record_handler(record: DynamoDBRecord) -> str:
            sub = user_of(record) if needs_sync(record) else None
            if sub is None:
                return "ignored"
            if sub not in outcomes:
                outcomes[sub] = run(sub)
            if not outcomes[sub]:
                raise SyncError("the user's sync failed in this invocation")
            return "synced"

        processor = BatchProcessor(EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        response = process_partial_response(dict(event), record_handler, processor, context)
        failures = list(response.get("batchItemFailures") or [])
        log_event(
            "crm_batch",
            records=len(records),
            users=len(outcomes),
            failed_users=sum(1 for ok in outcomes.values() if not ok),
            failed_records=len(failures),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return {"batchItemFailures": failures}


def read_token(settings: CrmSettings) -> str:
    """The private-app token from the SSM SecureString named by HUBSPOT_TOKEN_PARAMETER."""
    if not settings.token_parameter:
        raise ConfigError("Invalid CRM sync configuration (missing: HUBSPOT_TOKEN_PARAMETER)")
    ssm = boto3.client("ssm", endpoint_url=settings.aws_endpoint_url)
    return str(ssm.get_parameter(Name=settings.token_parameter, WithDecryption=True)["Parameter"]["Value"])


def create_consumer(
    settings: CrmSettings,
    *,
    seams: CrmSeams | None = None,
    token: str | None = None,
    http: httpx.Client | None = None,
) -> CrmConsumer:
    """The consumer wired from settings: DynamoDB through the store, HubSpot through `http` (None = the network).
    `token` None = read it from SSM."""
    seams = seams or CrmSeams()
    store = Store(dynamodb_client(settings.aws_endpoint_url), settings.tables, load_catalog(settings.content_dir))
    client = HubSpotClient(
        settings.hubspot_base_url, token if token is not None else read_token(settings), http=http, retry=seams.retry
    )
    return CrmConsumer(ContactSync(store, client, seams), clock=seams.retry.clock)


_consumer: CrmConsumer | None = None


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler: the consumer is built (and the token read) on the first invocation of a container."""
    global _consumer
    if _consumer is None:
        settings = load_crm_settings(os.environ)
        configure_logging(settings.log_level)
        _consumer = create_consumer(settings)
    return _consumer(event, context)
