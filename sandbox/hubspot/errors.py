"""HubSpot's error envelope `{"status":"error","message","correlationId","category"}` and the exception routes raise."""

from __future__ import annotations

import json
import uuid

from starlette.responses import JSONResponse

# The stand-in's portal id: HubSpot names it in validation messages.
PORTAL_ID = 1000001


class ApiError(Exception):
    """An error answer of the CRM API; `errors` are HubSpot's per-item details (validation errors only)."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def response(self) -> JSONResponse:
        body: dict[str, object] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        body.update(self.extra)
        if self.errors:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class InvalidValue(Exception):
    """One property value HubSpot refuses; `code` is HubSpot's error code (PROPERTY_DOESNT_EXIST, INVALID_DATE, ...)."""

    def __init__(self, name: str, code: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.code = code
        self.message = message


def validation_error(problems: list[InvalidValue]) -> ApiError:
    """HubSpot's 400 for invalid property values: one message listing every refused property, as the real API does."""
    items = [
        {
            "isValid": False,
            "message": problem.message,
            "error": problem.code,
            "name": problem.name,
            "localizedErrorMessage": problem.message,
            "portalId": PORTAL_ID,
        }
        for problem in problems
    ]
    details = [
        {"message": problem.message, "code": problem.code, "context": {"propertyName": [problem.name]}}
        for problem in problems
    ]
    message = f"Property values were not valid: {json.dumps(items, separators=(',', ':'))}"
    return ApiError(400, "VALIDATION_ERROR", message, errors=details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", message)
