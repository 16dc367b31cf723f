"""The sandbox HubSpot stand-in's loopback hooks (docs: crm-interfaces.md), for the [local] fault checks only:
seed a contact, plant a fault scoped to one email (so concurrent runs never see each other's faults), read the
contact dump and the per-contact request ledger, and the stream poller's sync ledger. Never used on aws envs.

>>> hooks = StandinHooks(env.crm.base_url, evidence=evidence)   # doctest: +SKIP
>>> hooks.fault(email, status=429, count=2, retry_after=1)
"""

from __future__ import annotations

from typing import Any

from checks.crm.owner import ClientOwner
from checks.errors import HarnessError
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from checks.retry import NO_RETRY

__all__ = ["HOOKS", "StandinHooks"]

HOOKS = "/__standin"


def _objects(body: Any, what: str) -> list[dict[str, Any]]:
    """The objects of a hook's list answer: a bare list, or the list under `results` (B's dump shape)."""
    found = body.get("results") if isinstance(body, dict) else body
    if not isinstance(found, list):
        raise HarnessError(f"stand-in {what}: expected a list, got {type(found).__name__}")
    return [item for item in found if isinstance(item, dict)]


class StandinHooks(ClientOwner):
    """Each call is transcribed; an unexpected answer is a harness error (the sandbox, not the target, is broken)."""

    def __init__(self, base_url: str, *, evidence: Evidence | None = None, timeout: float = 10.0) -> None:
        # A hook's answer is never transient: retrying a fault switch could plant it twice.
        self.http = HttpClient(base_url, evidence=evidence, timeout=timeout, retry=NO_RETRY)

    def _json(self, response: Response, *statuses: int) -> Any:
        body = response.json_or_none()
        if response.status not in statuses or body is None:
            raise HarnessError(
                f"stand-in hook {response.method} {response.url}: expected {'/'.join(map(str, statuses))} JSON, "
                f"got {response.describe()}"
            )
        return body

    def contacts(self, email: str) -> list[dict[str, Any]]:
        """The stand-in's contacts of `email`, each with every property (`[{"id", "properties", ...}]`)."""
        return _objects(self._json(self.http.get(f"{HOOKS}/contacts", params={"email": email}), 200), "contacts dump")

    def seed_contact(self, properties: dict[str, str]) -> dict[str, Any]:
        """A contact as it existed before this deployment (no validation side effects)."""
        return self._json(self.http.post(f"{HOOKS}/contacts", json={"properties": properties}), 200, 201)

    def fault(self, email: str, **spec: Any) -> None:
        """`status=429, count=N, retry_after=S` | `status=500, count=N` | `latency_ms=N` | `outage=True`, scoped."""
        self._json(self.http.post(f"{HOOKS}/faults", json={**spec, "email": email}), 200, 201)

    def clear_faults(self, email: str) -> None:
        self._json(self.http.request("DELETE", f"{HOOKS}/faults", params={"email": email}), 200)

    def requests(self, email: str) -> list[dict[str, Any]]:
        """The ledger of requests about `email`'s contact: `[{"at", "method", "path", "status", "early"}]`."""
        return _objects(self._json(self.http.get(f"{HOOKS}/requests", params={"email": email}), 200), "request ledger")

    def sync_ledger(self) -> dict[str, Any]:
        """The stream poller's ledger (invocations, records, batch item failures, DLQ sends)."""
        body = self._json(self.http.get(f"{HOOKS}/sync"), 200)
        if not isinstance(body, dict):
            raise HarnessError(f"stand-in sync ledger: expected an object, got {type(body).__name__}")
        return body
