"""What every per-service provisioning step shares: boto3 clients on the local endpoint, the resolver, faults, gaps.

Each service module (dynamodb, cognito, lambda_, apigw, monitoring) exposes `HANDLERS: dict[resource type, Handler]`;
a handler receives the context, the logical id and the resolved properties and returns what `Ref`/`GetAtt` yield.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from sandbox.aws.template import Resolver

__all__ = ["Context", "Created", "Handler", "ProvisionError", "client_for"]

# moto accepts any key; fixed dummy credentials keep real ones from the process environment out of sandbox calls.
_DUMMY_CREDENTIALS = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30)


class ProvisionError(Exception):
    """Provisioning could not complete; the message names the resource and the failing call."""


@dataclass(frozen=True)
class Created:
    """What a provisioned resource contributes to the resolver: its `Ref` value and its `GetAtt` attributes."""

    ref: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    endpoint_url: str
    region: str
    stage: str
    account_id: str
    faults: frozenset[str]
    resolver: Resolver
    code_zip: Path | None = None
    # The package upload runs beside the resource walk; the function waits for it (see provision.py).
    code_upload: Future[None] | None = None
    # The HubSpot token put as the SSM parameter; provision.crm_token_in_env also copies it into the environment.
    crm_token: str | None = field(default=None, repr=False)
    # Template features moto cannot represent; the parity test asserts exactly these, nothing is skipped silently.
    gaps: list[str] = field(default_factory=list)
    _clients: dict[str, BaseClient] = field(default_factory=dict, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str) -> Any:
        # Handlers run on several threads; boto3 clients are thread-safe, creating them is not.
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = client_for(self.endpoint_url, self.region, service)
            return self._clients[service]

    def has_fault(self, name: str) -> bool:
        return name in self.faults

    def has_fault_for(self, name: str, logical_id: str) -> bool:
        """Whether fault `name` damages resource `logical_id`. The first-wave faults model the Jan-2026 API
        deployment (which had no CRM consumer), so the consumer's resources (`CrmSync*`) carry only their own
        `provision.crm_*` faults, and those damage only the consumer's: one planted defect, one red check."""
        return name in self.faults and name.startswith("provision.crm_") == logical_id.startswith("CrmSync")

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


Handler = Callable[[Context, str, dict[str, Any]], Created]


_CREATE_LOCK = threading.Lock()  # boto3's default session is not safe to create clients from concurrently


def client_for(endpoint_url: str, region: str, service: str) -> Any:
    """A boto3 client on the local endpoint with the sandbox's dummy credentials (for callers outside provisioning)."""
    with _CREATE_LOCK:
        return boto3.client(
            service, endpoint_url=endpoint_url, region_name=region, config=_CLIENT_CONFIG, **_DUMMY_CREDENTIALS
        )
