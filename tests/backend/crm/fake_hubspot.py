"""A minimal in-memory HubSpot contacts API as an httpx.MockTransport handler, for the consumer's unit tests.

Only what the consumer calls: search by email, create (409 naming the existing id), get, patch (400 for a name that
is not a defined property or `""` for a date/number), property/group creation (409 when it exists). Faults are a
queue of canned answers consumed by the next requests; every request lands in `requests`. The sandbox's full
stand-in (sandbox/hubspot) is exercised by tests/backend/crm/test_standin.py.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from hhl_backend.crm import registry

TOKEN = "test-token-not-a-secret"
BUILT_IN = ("email", "firstname", "lastname", "lifecyclestage", "hs_object_id", "createdate", "lastmodifieddate")


def _error(status: int, category: str, message: str = "") -> httpx.Response:
    return httpx.Response(status, json={"status": "error", "category": category, "message": message})


@dataclass
class Fault:
    status: int
    retry_after: str | None = None


@dataclass
class FakeHubSpot:
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=lambda: {p.name: p.type for p in registry.PROPERTIES})
    groups: set[str] = field(default_factory=lambda: {"contactinformation"})
    faults: list[Fault] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # emails (lower-case) whose requests all answer 500
    search_lags: bool = False  # HubSpot's search index lags behind creates: search finds nothing
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def __post_init__(self) -> None:
        self.types.update(dict.fromkeys(BUILT_IN, "string"))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def by_email(self, email: str) -> tuple[str, dict[str, str]] | None:
        for contact_id, props in self.contacts.items():
            if props.get("email", "").lower() == email.lower():
                return contact_id, props
        return None

    def seed(self, properties: dict[str, str]) -> str:
        contact_id = str(next(self.ids))
        self.contacts[contact_id] = dict(properties)
        return contact_id

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append((request.method, request.url.path))
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return _error(401, "INVALID_AUTHENTICATION")
            if self.faults:
                fault = self.faults.pop(0)
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                return httpx.Response(fault.status, headers=headers, json={"status": "error", "category": "FAULT"})
            if self._about(request) & self.broken:
                return _error(500, "INTERNAL_ERROR")
            return self._route(request)

    def _about(self, request: httpx.Request) -> set[str]:
        """The lower-cased emails a request concerns: a search filter, a create body, or a contact id's email."""
        body = json.loads(request.content) if request.content else {}
        filters = [f for group in body.get("filterGroups", []) for f in group["filters"]]
        emails = {f["value"] for f in filters if f["propertyName"] == "email"}
        properties = body.get("properties")
        if isinstance(properties, dict):  # create/patch bodies (a search's `properties` is a list of names)
            emails.add(properties.get("email", ""))
        contact = self.contacts.get(request.url.path.rsplit("/", 1)[-1], {})
        emails.add(contact.get("email", ""))
        return {e.lower() for e in emails if e}

    def _contact(self, contact_id: str) -> dict[str, Any]:
        return {"id": contact_id, "properties": dict(self.contacts[contact_id]), "archived": False}

    def _invalid(self, properties: dict[str, Any]) -> str | None:
        for name, value in properties.items():
            if name not in self.types:
                return f"Property {name} does not exist"
            if value == "" and self.types[name] in ("date", "datetime", "number"):
                return f"{name}: empty value for a {self.types[name]}"
        return None

    def _route(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else {}
        base = "/crm/v3/objects/contacts"
        if method == "POST" and path == f"{base}/search":
            email = body["filterGroups"][0]["filters"][0]["value"]
            found = None if self.search_lags else self.by_email(email)
            results = [self._contact(found[0])] if found else []
            return httpx.Response(200, json={"total": len(results), "results": results})
        if method == "POST" and path == base:
            properties = body["properties"]
            existing = self.by_email(properties.get("email", ""))
            if existing:
                return _error(409, "CONFLICT", f"Contact already exists. Existing ID: {existing[0]}")
            problem = self._invalid(properties)
            if problem:
                return _error(400, "VALIDATION_ERROR", problem)
            return httpx.Response(201, json=self._contact(self.seed(properties)))
        if path.startswith(f"{base}/"):
            contact_id = path.rsplit("/", 1)[1]
            if contact_id not in self.contacts:
                return _error(404, "OBJECT_NOT_FOUND")
            if method == "PATCH":
                problem = self._invalid(body["properties"])
                if problem:
                    return _error(400, "VALIDATION_ERROR", problem)
                self.contacts[contact_id].update(body["properties"])
            return httpx.Response(200, json=self._contact(contact_id))
        if method == "POST" and path == "/crm/v3/properties/contacts/groups":
            if body["name"] in self.groups:
                return _error(409, "CONFLICT", "group exists")
            self.groups.add(body["name"])
            return httpx.Response(201, json=body)
        if method == "POST" and path == "/crm/v3/properties/contacts":
            if body["name"] in self.types:
                return _error(409, "CONFLICT", "property exists")
            self.types[body["name"]] = body["type"]
            return httpx.Response(201, json=body)
        return _error(404, "NOT_FOUND")
