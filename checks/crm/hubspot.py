"""A read-only HubSpot CRM v3 reader for the crm checks, on the curl-style `checks.http.HttpClient`: every exchange
is a transcript in the check's evidence with the `Authorization` value redacted, and the token is a registered
secret before the first request. It reads property definitions and finds the test user's contact by email; it never
writes (the consumer under test does).

>>> hubspot = HubSpotReader(env.crm.base_url, token, evidence=evidence)   # doctest: +SKIP
>>> hubspot.contact("user@example.com", ["hhl_enrolled_courses"])
Contact(id='101', properties={'hhl_enrolled_courses': 'course-a', ...})
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.crm.owner import ClientOwner
from checks.errors import CheckFailure
from checks.evidence import Evidence
from checks.http import HttpClient, Response
from checks.retry import RetryPolicy
from checks.secrets import register_secret

__all__ = ["CONTACTS_SEARCH", "PROPERTIES_PATH", "Contact", "HubSpotReader", "is_property_definition"]

PROPERTIES_PATH = "/crm/v3/properties/contacts"
CONTACTS_SEARCH = "/crm/v3/objects/contacts/search"
SEARCH_LIMIT = 10  # more than one contact for one email is itself a finding, so ask for a few


@dataclass(frozen=True)
class Contact:
    id: str
    properties: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.properties.get(name)


def is_property_definition(body: Any) -> bool:
    """A HubSpot property definition: an object with string `name`, `type`, `fieldType` (and a `groupName`)."""
    return isinstance(body, dict) and all(isinstance(body.get(k), str) for k in ("name", "type", "fieldType"))


class HubSpotReader(ClientOwner):
    """Reads of one portal with a private-app token (sent as `Authorization: Bearer`, never written anywhere)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        evidence: Evidence | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        register_secret(token)
        self.http = HttpClient(
            base_url, evidence=evidence, timeout=timeout, headers={"Authorization": f"Bearer {token}"}, retry=retry
        )

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def property_definition(self, name: str) -> Response:
        """`GET /crm/v3/properties/contacts/{name}`: 200 definition, 404 when the portal lacks it."""
        return self.http.get(f"{PROPERTIES_PATH}/{name}")

    def property_definitions(self) -> dict[str, dict[str, Any]]:
        """Every contact property definition by name (one `GET /crm/v3/properties/contacts`)."""
        response = self.http.get(PROPERTIES_PATH)
        body = response.json_or_none()
        results = body.get("results") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(results, list):
            raise CheckFailure(f"GET {PROPERTIES_PATH}: expected 200 {{results: [...]}}, got {response.describe()}")
        return {str(d["name"]): d for d in results if is_property_definition(d)}

    def search(self, email: str, properties: Sequence[str]) -> Response:
        body = {
            "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}],
            "properties": ["email", *properties],
            "limit": SEARCH_LIMIT,
        }
        return self.http.post(CONTACTS_SEARCH, json=body)

    def contacts(self, email: str, properties: Sequence[str]) -> list[Contact]:
        """Every contact whose email is `email` (HubSpot matches case-insensitively), with `properties`."""
        response = self.search(email, properties)
        body = response.json_or_none()
        results = body.get("results") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(results, list):
            raise CheckFailure(f"POST {CONTACTS_SEARCH}: expected 200 {{total, results}}, got {response.describe()}")
        return [
            Contact(str(r.get("id")), dict(r.get("properties") or {}))
            for r in results
            if isinstance(r, dict) and r.get("id") is not None
        ]

    def contact(self, email: str, properties: Sequence[str]) -> Contact | None:
        """The one contact of `email`, or None while there is none; two or more is a finding (one user, one contact)."""
        found = self.contacts(email, properties)
        if len(found) > 1:
            raise CheckFailure(f"{len(found)} HubSpot contacts for the test user's email (ids {[c.id for c in found]})")
        return found[0] if found else None
