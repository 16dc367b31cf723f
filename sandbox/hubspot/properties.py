"""The CRM v3 contact property endpoints: definitions (list, read, create) and property groups (list, read, create)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.context import HubSpotContext
from sandbox.hubspot.definitions import already_exists, definition, group, validate_new_group, validate_new_property
from sandbox.hubspot.errors import not_found
from sandbox.hubspot.gateway import api
from sandbox.hubspot.values import iso_ms

BASE = "/crm/v3/properties/contacts"


def _archived_only(request: Request) -> bool:
    # Nothing is ever archived here: `?archived=true` lists none, as on a portal that never archived a property.
    return request.query_params.get("archived", "false").lower() == "true"


def list_properties(ctx: HubSpotContext, request: Request, body: object) -> Response:
    return JSONResponse({"results": [] if _archived_only(request) else list(ctx.properties.values())})


def get_property(ctx: HubSpotContext, request: Request, body: object) -> Response:
    name = request.path_params["propertyName"]
    found = ctx.properties.get(name)
    if found is None or _archived_only(request):
        raise not_found(f"Unable to find property with name: {name}")
    return JSONResponse(found)


def create_property(ctx: HubSpotContext, request: Request, body: object) -> Response:
    checked = validate_new_property(body, ctx.groups)
    if checked["name"] in ctx.properties:
        raise already_exists("Property", checked["name"])
    created = definition(checked, now_iso=iso_ms(ctx.clock.now_ms()))
    ctx.properties[created["name"]] = created
    return JSONResponse(created, status_code=201)


def list_groups(ctx: HubSpotContext, request: Request, body: object) -> Response:
    return JSONResponse({"results": [] if _archived_only(request) else list(ctx.groups.values())})


def get_group(ctx: HubSpotContext, request: Request, body: object) -> Response:
    name = request.path_params["groupName"]
    if name not in ctx.groups:
        raise not_found(f"Unable to find property group with name: {name}")
    return JSONResponse(ctx.groups[name])


def create_group(ctx: HubSpotContext, request: Request, body: object) -> Response:
    checked = validate_new_group(body)
    if checked["name"] in ctx.groups:
        raise already_exists("Property group", checked["name"])
    created = group(checked["name"], checked["label"], int(checked.get("displayOrder", -1)))
    ctx.groups[created["name"]] = created
    return JSONResponse(created, status_code=201)


# The groups routes come first: `/groups` would otherwise be read as a property named "groups".
ROUTES = [
    Route(f"{BASE}/groups", api(list_groups), methods=["GET"]),
    Route(f"{BASE}/groups", api(create_group, with_body=True), methods=["POST"]),
    Route(f"{BASE}/groups/{{groupName}}", api(get_group), methods=["GET"]),
    Route(BASE, api(list_properties), methods=["GET"]),
    Route(BASE, api(create_property, with_body=True), methods=["POST"]),
    Route(f"{BASE}/{{propertyName}}", api(get_property), methods=["GET"]),
]
