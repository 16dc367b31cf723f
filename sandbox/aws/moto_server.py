"""Start and stop the sandbox's local AWS: moto's threaded server bound to 127.0.0.1 (SPEC §6 sandbox provisioning)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["MotoHandle", "prepare", "start_moto"]

log = logging.getLogger(__name__)


@dataclass
class MotoHandle:
    """A running moto server. moto keeps its state per process, so two handles in one process share it."""

    port: int
    _server: Any = field(repr=False)  # ThreadedMotoServer, or a MotoProcess (anything with stop())
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every resource (moto's own reset endpoint), for tests that need an empty account."""
        httpx.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._server.stop()
            log.info("moto server on port %d stopped", self.port)

    def __enter__(self) -> MotoHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_DYNAMODB_LOCK = threading.RLock()


def _serialise_dynamodb_calls() -> None:
    """Make every DynamoDB call atomic, as real DynamoDB is per item and per transaction.

    moto's UpdateItem and TransactWriteItems are read-modify-writes without a lock, and its server answers on
    parallel threads: without this, the sandbox itself would lose concurrent updates and mint duplicate badges,
    and the harness's concurrency checks would blame a healthy backend. Interleaving *between* calls stays.
    """
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "_hhl_serialised", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _DYNAMODB_LOCK:
            return original(self)

    call_action._hhl_serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _no_stream_delivery_by_moto() -> None:
    """Keep moto from delivering DynamoDB stream records to a mapped Lambda itself.

    With an event source mapping on a table stream, moto 5.2 runs the function on every table write: through Docker
    (absent here: each write then logs "error running docker", writes a log stream into the function's log group
    and takes ≈2× as long), and even with `lambda.use_docker: false` (that switch only covers the Invoke API). Worse,
    after that attempt it empties the stream shard, so GetRecords would never see a record. The sandbox's stream
    poller (sandbox.aws.stream_poller) is what delivers records, as Lambda's pollers do in AWS; moto only keeps the
    stream. A falsy result makes moto's shard keep its records.
    """
    from moto.awslambda.models import LambdaBackend

    if getattr(LambdaBackend.send_dynamodb_items, "_hhl_disabled", False):
        return

    def send_dynamodb_items(self: LambdaBackend, function_arn: str, items: list[Any], source: str) -> str:
        return ""

    send_dynamodb_items._hhl_disabled = True  # type: ignore[attr-defined]
    LambdaBackend.send_dynamodb_items = send_dynamodb_items  # type: ignore[method-assign]


def _mappings_report_the_alias() -> None:
    """A mapping created on an alias ARN reports that ARN as its FunctionArn, as AWS does; moto 5.2 reports the
    version the alias points at, which would make a mapping on `live` indistinguishable from one pinned to a version."""
    from moto.awslambda.models import LambdaBackend

    if getattr(LambdaBackend.create_event_source_mapping, "_hhl_alias", False):
        return
    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping

    def keep_alias(esm: Any, function_name: str | None) -> Any:
        if esm is not None and function_name and function_name.startswith("arn:") and function_name.count(":") == 7:
            qualifier = function_name.rsplit(":", 1)[1]
            if not qualifier.isdigit() and qualifier != "$LATEST":
                esm.function_arn = function_name
        return esm

    def create(self: LambdaBackend, spec: dict[str, Any]) -> Any:
        return keep_alias(original_create(self, spec), spec.get("FunctionName"))

    def update(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> Any:
        return keep_alias(original_update(self, uuid, spec), spec.get("FunctionName"))

    create._hhl_alias = True  # type: ignore[attr-defined]
    LambdaBackend.create_event_source_mapping = create  # type: ignore[method-assign]
    LambdaBackend.update_event_source_mapping = update  # type: ignore[method-assign]


# Services whose endpoint prefix is not their name (botocore's endpoints.json is keyed by prefix).
_ENDPOINT_PREFIXES = {"apigatewayv2": "apigateway", "cloudwatch": "monitoring", "dynamodbstreams": "streams.dynamodb"}


def _regions_without_service_models() -> None:
    """Answer botocore's get_available_regions from endpoints.json alone.

    moto asks it once per service on first use (and ec2's module body asks at import) to learn the service's
    regions; botocore then loads the whole service model (ec2's alone is ≈1 s of JSON decoding) only to read its
    endpoint prefix. The prefix is the service name but for the few listed above, so the endpoint resolver answers
    directly; anything it does not know falls back to botocore's own way. Same answers (pinned by a test).
    """
    from botocore.session import Session

    if getattr(Session.get_available_regions, "_hhl_direct", False):
        return
    original = Session.get_available_regions

    def get_available_regions(
        self: Session, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> list[str]:
        resolver = self._get_internal_component("endpoint_resolver")
        prefix = _ENDPOINT_PREFIXES.get(service_name, service_name)
        found = resolver.get_available_endpoints(prefix, partition_name, allow_non_regional)
        return found or original(self, service_name, partition_name, allow_non_regional)

    get_available_regions._hhl_direct = True  # type: ignore[attr-defined]
    Session.get_available_regions = get_available_regions


_MAX_SHARD_ITERATORS = 2048


def _bounded_shard_iterators() -> None:
    """moto keeps every shard iterator it ever issued (each GetRecords issues one); the poller asks several times a
    second for hours, so only the newest ones are kept (AWS expires iterators after 15 minutes anyway)."""
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    if getattr(DynamoDBStreamsBackend.get_records, "_hhl_bounded", False):
        return
    original = DynamoDBStreamsBackend.get_records

    def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
        result = original(self, iterator_arn, limit)
        iterators = self.shard_iterators
        while len(iterators) > _MAX_SHARD_ITERATORS:
            iterators.pop(next(iter(iterators)))  # insertion order: the oldest first
        return result

    get_records._hhl_bounded = True  # type: ignore[attr-defined]
    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]


def prepare() -> None:
    """The sandbox's changes to moto (idempotent): before its first request, or before a snapshot is restored."""
    # werkzeug logs every request on stderr unless its logger has a level; the sandbox wants quiet AWS calls.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _regions_without_service_models()
    _serialise_dynamodb_calls()
    _no_stream_delivery_by_moto()
    _mappings_report_the_alias()
    _bounded_shard_iterators()


def start_moto(port: int = 0) -> MotoHandle:
    """Start moto on 127.0.0.1; port 0 picks a free port. Returns once the server accepts requests."""
    if not 0 <= port <= 65535:
        raise ValueError(f"port must be between 0 and 65535, got {port}")
    from moto.server import ThreadedMotoServer  # here: importing this module must not load moto (the orchestrator)

    prepare()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()  # returns after the socket is bound, so requests are served from here on
    _, bound_port = server.get_host_and_port()
    log.info("moto server listening on 127.0.0.1:%d", bound_port)
    return MotoHandle(port=bound_port, _server=server)
