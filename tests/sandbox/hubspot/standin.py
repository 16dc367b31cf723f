"""Helpers for the HubSpot stand-in tests: HubSpot-shaped requests and assertions on its error envelope."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

ISO_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def assert_error(response, status: int, category: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert body["message"] and body["correlationId"]
    return body


def create(api: TestClient, **properties: object) -> dict:
    response = api.post("/crm/v3/objects/contacts", json={"properties": properties})
    assert response.status_code == 201, response.text
    return response.json()


def search_email(api: TestClient, email: str, properties: list[str] | None = None) -> dict:
    body: dict = {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}]}
    if properties is not None:
        body["properties"] = properties
    response = api.post("/crm/v3/objects/contacts/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()
