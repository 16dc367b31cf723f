"""The CRM v3 contacts endpoints: search, create, list, get by id, update, archive (SPEC §7's table)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.context import HubSpotContext
from sandbox.hubspot.definitions import ALWAYS_READ, DEFAULT_READ
from sandbox.hubspot.errors import ApiError, InvalidValue, bad_request, not_found, validation_error
from sandbox.hubspot.gateway import api
from sandbox.hubspot.search import page_of, search_matches
from sandbox.hubspot.store import Contact, DuplicateEmail
from sandbox.hubspot.values import normalise

BASE = "/crm/v3/objects/contacts"
_LIST_MAX = 100


def search_subject(ctx: HubSpotContext, request: Request, body: object) -> str | None:
    """The email of the first `email EQ` filter: a search is "about" that contact."""
    groups = body.get("filterGroups") if isinstance(body, dict) else None
    for group in groups if isinstance(groups, list) else []:
        filters = group.get("filters") if isinstance(group, dict) else None
        for item in filters if isinstance(filters, list) else []:
            if isinstance(item, dict) and item.get("propertyName") == "email" and item.get("operator") == "EQ":
                return str(item.get("value", "")).strip().lower() or None
    return None


def create_subject(ctx: HubSpotContext, request: Request, body: object) -> str | None:
    properties = body.get("properties") if isinstance(body, dict) else None
    email = properties.get("email") if isinstance(properties, dict) else None
    if not isinstance(email, str):
        return None
    return email.strip().lower() or None


def id_subject(ctx: HubSpotContext, request: Request, body: object) -> str | None:
    contact = _lookup(ctx, request, missing_ok=True)
    if contact is not None:
        return contact.email or None
    if request.query_params.get("idProperty") == "email":
        return request.path_params["contactId"].strip().lower() or None
    return None


def _lookup(ctx: HubSpotContext, request: Request, *, missing_ok: bool = False) -> Contact | None:
    key = request.path_params["contactId"]
    id_property = request.query_params.get("idProperty", "hs_object_id")
    if id_property == "email":
        contact = ctx.contacts.by_email(key)
    elif id_property == "hs_object_id":
        contact = ctx.contacts.get(key)
    else:
        raise bad_request(f"idProperty {id_property!r} is not a unique property of contacts")
    if contact is None and not missing_ok:
        raise not_found("Object not found.  objectId are usually numeric.")
    return contact


def requested(ctx: HubSpotContext, names: list[str] | None) -> list[str]:
    """Requested property names HubSpot answers: unknown names are dropped; none requested → its default set."""
    if not names:
        return [name for name in DEFAULT_READ if name not in ALWAYS_READ]
    return [name for name in dict.fromkeys(names) if name in ctx.properties]


def _query_names(request: Request, key: str) -> list[str]:
    # `?properties=a,b` and `?properties=a&properties=b` both occur (the official client sends the latter).
    return [name.strip() for raw in request.query_params.getlist(key) for name in raw.split(",") if name.strip()]


def validated(ctx: HubSpotContext, properties: object) -> dict[str, str]:
    """Stored forms of `properties`; one 400 VALIDATION_ERROR naming every refused property otherwise."""
    if not isinstance(properties, dict):
        raise bad_request("Invalid input JSON: `properties` must be an object of property name → value")
    problems: list[InvalidValue] = []
    values: dict[str, str] = {}
    for name, value in properties.items():
        definition = ctx.properties.get(name)
        if definition is None:
            problems.append(InvalidValue(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            continue
        try:
            values[name] = normalise(definition, value)
        except InvalidValue as problem:
            problems.append(problem)
    if problems:
        raise validation_error(problems)
    return values


def _conflict(exc: DuplicateEmail) -> ApiError:
    return ApiError(409, "CONFLICT", str(exc))


def _body_properties(body: object) -> object:
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: the body must be an object")
    return body.get("properties")


def search(ctx: HubSpotContext, request: Request, body: object) -> Response:
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: the body must be an object")
    names = body.get("properties")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise bad_request("properties must be a list of property names")
    lag_ms = max(faults.search_lag_ms for faults in ctx.faults.applicable(search_subject(ctx, request, body)))
    matches = search_matches(ctx, body, created_before_ms=ctx.clock.now_ms() - lag_ms if lag_ms else None)
    page, paging = page_of(matches, body.get("after"), body.get("limit", 10), limit_max=200)
    result: dict[str, object] = {"total": len(matches), "results": [c.render(requested(ctx, names)) for c in page]}
    if paging:
        result["paging"] = paging
    return JSONResponse(result)


def create(ctx: HubSpotContext, request: Request, body: object) -> Response:
    values = validated(ctx, _body_properties(body))
    try:
        contact = ctx.contacts.create(values, ctx.clock.now_ms())
    except DuplicateEmail as exc:
        raise _conflict(exc) from None
    return JSONResponse(contact.render(list(values)), status_code=201)


def list_contacts(ctx: HubSpotContext, request: Request, body: object) -> Response:
    limit = request.query_params.get("limit", "10")
    if not limit.isdigit():
        raise bad_request(f"limit must be a number, not {limit!r}")
    page, paging = page_of(ctx.contacts.all(), request.query_params.get("after"), int(limit), limit_max=_LIST_MAX)
    names = requested(ctx, _query_names(request, "properties"))
    result: dict[str, object] = {"results": [contact.render(names) for contact in page]}
    if paging:
        result["paging"] = paging
    return JSONResponse(result)


def get_contact(ctx: HubSpotContext, request: Request, body: object) -> Response:
    if request.query_params.get("archived", "false").lower() == "true":
        raise not_found("Object not found.  objectId are usually numeric.")  # archived contacts are not kept
    contact = _lookup(ctx, request)
    assert contact is not None
    history = [name for name in _query_names(request, "propertiesWithHistory") if name in ctx.properties]
    return JSONResponse(contact.render(requested(ctx, _query_names(request, "properties")), with_history=history))


def update_contact(ctx: HubSpotContext, request: Request, body: object) -> Response:
    contact = _lookup(ctx, request)
    assert contact is not None
    values = validated(ctx, _body_properties(body))
    try:
        ctx.contacts.update(contact, values, ctx.clock.now_ms())
    except DuplicateEmail as exc:
        raise _conflict(exc) from None
    return JSONResponse(contact.render(list(values)))


def archive_contact(ctx: HubSpotContext, request: Request, body: object) -> Response:
    contact = _lookup(ctx, request, missing_ok=True)
    if contact is not None:
        ctx.contacts.delete(contact)
    return Response(status_code=204)  # HubSpot answers 204 for an unknown id as well


ROUTES = [
    Route(f"{BASE}/search", api(search, subject=search_subject, with_body=True), methods=["POST"]),
    Route(BASE, api(create, subject=create_subject, with_body=True), methods=["POST"]),
    Route(BASE, api(list_contacts), methods=["GET"]),
    Route(f"{BASE}/{{contactId}}", api(get_contact, subject=id_subject), methods=["GET"]),
    Route(f"{BASE}/{{contactId}}", api(update_contact, subject=id_subject, with_body=True), methods=["PATCH"]),
    Route(f"{BASE}/{{contactId}}", api(archive_contact, subject=id_subject), methods=["DELETE"]),
]
