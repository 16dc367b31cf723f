"""The sandbox's CRM side (SPEC §7): the HubSpot stand-in, the CRM sync consumer and the stream poller feeding it.

The consumer is the backend's own (`hhl_backend.crm.handler.create_consumer`) with the planted `crmsync.*` faults as
seams; it talks to the stand-in over HTTP like it would to api.hubapi.com, and reads DynamoDB through moto. The
poller plays Lambda's event source mappings (sandbox.aws.stream_poller). The consumer's log lines go to its own
log group (a filter on the poller's threads), as the deployed consumer writes to `/aws/lambda/…-crm-sync`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from sandbox.aws.stream_poller import THREAD_PREFIX, StreamPoller, ledger_route

__all__ = [
    "FAULT_NO_PROPERTIES",
    "FAULT_TOKEN_REVOKED",
    "CrmSide",
    "ThreadFilter",
    "build_crm",
    "consumer_environ",
    "handed_out_token",
    "new_crm_token",
]

# The portal's faults (SPEC §10 catalog, component crm): planted on the stand-in, never in the consumer.
FAULT_TOKEN_REVOKED = "crm.portal_token_revoked"  # the state's crm_token is not the one the portal accepts
FAULT_NO_PROPERTIES = "crm.properties_not_provisioned"  # the portal has HubSpot's defaults only


def new_crm_token() -> str:
    """The stand-in's bearer token, random per sandbox (like a HubSpot private-app token: `pat-…`)."""
    return "pat-sandbox-" + secrets.token_urlsafe(24)


def handed_out_token(token: str, faults: frozenset[str]) -> str:
    """The token the sandbox state gives the harness: the portal's own, or (crm.portal_token_revoked) a revoked one.
    The consumer keeps reading the live token from its parameter: only the env's copy is stale."""
    return new_crm_token() if FAULT_TOKEN_REVOKED in faults else token


@dataclass
class CrmSide:
    app: ASGIApp  # the stand-in, serving /__standin/sync too
    poller: StreamPoller
    log_handler: logging.Handler | None = None

    def ship_logs(self, api_log_handler: logging.Handler, *, aws_url: str, region: str, function_name: str) -> None:
        """The consumer's log lines to its own log group, the API's handler keeping the rest (creates a stream in
        moto: only once moto answers)."""
        from hhl_backend.logs import JsonLineFormatter

        from sandbox.aws.log_shipper import CloudWatchLogsHandler

        api_log_handler.addFilter(ThreadFilter(keep=False))
        handler = CloudWatchLogsHandler(endpoint_url=aws_url, region=region, log_group=f"/aws/lambda/{function_name}")
        handler.setFormatter(JsonLineFormatter())
        handler.addFilter(ThreadFilter(keep=True))
        logging.getLogger("hhl_backend").addHandler(handler)
        self.log_handler = handler

    def stop(self) -> None:
        self.poller.stop()
        if self.log_handler is not None:
            logging.getLogger("hhl_backend").removeHandler(self.log_handler)
            self.log_handler.close()


class ThreadFilter(logging.Filter):
    """Pass records logged on the poller's threads (`keep=True`) or every other record (`keep=False`)."""

    def __init__(self, keep: bool) -> None:
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        return (record.threadName or "").startswith(THREAD_PREFIX) is self.keep


def consumer_environ(*, crm_url: str, aws_url: str, stage: str, provisioned: Any) -> dict[str, str]:
    """What the template gives the deployed consumer, with the stand-in as HubSpot and moto as AWS."""
    return {
        "APP_STAGE": stage,
        "DYNAMODB_USERS_TABLE": provisioned.tables["users"],
        "DYNAMODB_ENROLLMENTS_TABLE": provisioned.tables["enrollments"],
        "DYNAMODB_PROGRESS_TABLE": provisioned.tables["progress"],
        "DYNAMODB_BADGES_TABLE": provisioned.tables["badges"],
        "HUBSPOT_BASE_URL": crm_url,
        "HUBSPOT_TOKEN_PARAMETER": provisioned.crm_token_parameter,
        "AWS_ENDPOINT_URL": aws_url,
    }


def build_crm(
    *,
    crm_url: str,
    aws_url: str,
    region: str,
    stage: str,
    provisioned: Any,
    faults: frozenset[str],
    token: str,
    api_log_handler: logging.Handler | None = None,
) -> CrmSide:
    """Stand-in app + consumer + poller (not started: `poller.start()` once the stand-in serves). Calls nothing in
    moto unless `api_log_handler` is given (then the consumer's log shipping is set up too: `CrmSide.ship_logs`)."""
    from hhl_backend.crm.config import load_crm_settings
    from hhl_backend.crm.handler import create_consumer

    from sandbox.backend_faults.crmsync import crm_seams_for_faults
    from sandbox.hubspot import create_hubspot_app

    settings = load_crm_settings(
        consumer_environ(crm_url=crm_url, aws_url=aws_url, stage=stage, provisioned=provisioned)
    )
    consumer = create_consumer(settings, seams=crm_seams_for_faults(faults), token=token)
    poller = StreamPoller(aws_url, region, provisioned.crm_function_name, consumer)
    app = create_hubspot_app(token=token, extra_routes=[ledger_route(poller.ledger)])
    if FAULT_NO_PROPERTIES in faults:
        app.state.hubspot.reset(with_registry=False)  # what `POST /__standin/reset {"registry": false}` leaves
    side = CrmSide(app=app, poller=poller)
    if api_log_handler is not None:
        side.ship_logs(api_log_handler, aws_url=aws_url, region=region, function_name=provisioned.crm_function_name)
    return side
