"""Any JSON body or query a client may send gets a HubSpot answer (a response or HubSpot's 400/404/409 error),
never a crash: the handlers driven directly (no HTTP, so hundreds of examples stay fast)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request

from sandbox.hubspot import contacts, create_hubspot_app, hooks, properties
from sandbox.hubspot.errors import ApiError
from tests.sandbox.hubspot.standin_values import TOKEN

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_names = st.sampled_from(["email", "hhl_total_progress", "hhl_last_activity", "hhl_last_viewed_at", "lifecyclestage"])
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_names | st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_filter = st.fixed_dictionaries(
    {"propertyName": _names | _json, "operator": st.sampled_from(["EQ", "IN", "GT", "HAS_PROPERTY", "XX"]) | _json},
    optional={"value": _json, "values": _json},
)
_groups = st.lists(st.fixed_dictionaries({"filters": st.lists(_filter, max_size=3)}), max_size=3)
_search = st.fixed_dictionaries(
    {},
    optional={
        "filterGroups": _groups | _json,
        "properties": st.lists(_names, max_size=3) | _json,
        "limit": _json,
        "after": _json,
        "sorts": _json,
        "query": _json,
    },
)
_contact = st.fixed_dictionaries({"properties": st.dictionaries(_names, _json, max_size=4)}) | _json
_definition = st.fixed_dictionaries(
    {},
    optional={key: _json | st.text(max_size=6) for key in ("name", "label", "type", "fieldType", "groupName")}
    | {"options": _json, "displayOrder": _json},
)
_query = st.dictionaries(
    st.sampled_from(["properties", "propertiesWithHistory", "idProperty", "archived", "limit", "after"]),
    st.text(max_size=10),
    max_size=3,
)
# No example database: a run writes nothing into the checkout (.hypothesis/).
_FAST = settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HANDLERS: list[tuple[str, Callable, st.SearchStrategy]] = [
    ("search", contacts.search, _search),
    ("create", contacts.create, _contact),
    ("update", contacts.update_contact, _contact),
    ("create_property", properties.create_property, _definition),
    ("create_group", properties.create_group, _definition),
]


@pytest.fixture(scope="module")
def app() -> Starlette:
    app = create_hubspot_app(token=TOKEN)
    app.state.hubspot.contacts.create({"email": "fuzz@example.com"}, 0)
    return app


def request_to(app: Starlette, query: dict[str, str] | None = None, contact_id: str = "101") -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": urlencode(query or {}).encode(),
        "headers": [],
        "path_params": {"contactId": contact_id},
        "app": app,
    }
    return Request(scope)


def assert_answered_cleanly(handler: Callable, app: Starlette, request: Request, body: object) -> None:
    try:
        response = handler(app.state.hubspot, request, body)
    except ApiError as error:
        assert 400 <= error.status < 500
        return
    assert response.status_code < 400


@pytest.mark.parametrize(("name", "handler", "bodies"), HANDLERS, ids=[name for name, _, _ in HANDLERS])
def test_any_body_gets_an_answer_not_a_crash(app: Starlette, name: str, handler: Callable, bodies) -> None:
    @_FAST
    @given(body=bodies)
    def run(body: object) -> None:
        assert_answered_cleanly(handler, app, request_to(app), body)

    run()


@_FAST
@given(query=_query, contact_id=st.sampled_from(["101", "fuzz@example.com", "x", "999"]))
def test_any_query_gets_an_answer_not_a_crash(app: Starlette, query: dict[str, str], contact_id: str) -> None:
    for handler in (contacts.get_contact, contacts.list_contacts, properties.list_properties):
        assert_answered_cleanly(handler, app, request_to(app, query, contact_id), None)


@_FAST
@given(body=_json | st.fixed_dictionaries({}, optional={"status": _json, "count": _json, "retry_after": _json}))
def test_any_fault_body_is_accepted_or_refused_cleanly(body: object) -> None:
    try:
        fault = hooks._FAULT.validate_python(body)
    except ValidationError:
        return  # refused as a 400 by the hook
    assert fault is not None  # accepted as a fault; any other exception would be the crash this test looks for
