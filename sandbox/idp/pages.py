"""HTML of the hosted UI: the classic sign-in form (SPEC §8 DOM ids) and the error page."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader
from starlette.responses import HTMLResponse

from sandbox.idp.directory import ClientSettings

# Autoescape everything: the query string and the error code come straight from the request.
_TEMPLATES = Environment(loader=PackageLoader("sandbox.idp", "templates"), autoescape=True)
_NO_STORE = {"Cache-Control": "no-store"}


def login_page(*, client: ClientSettings, query: str, csrf: str, error: str | None = None) -> HTMLResponse:
    """The form posts back to `/login?<query>`, so the authorization request travels with the credentials."""
    other_idps = [idp for idp in client.identity_providers if idp != "COGNITO"]
    html = _TEMPLATES.get_template("login.html.j2").render(other_idps=other_idps, query=query, csrf=csrf, error=error)
    return HTMLResponse(html, status_code=200, headers=_NO_STORE)


def error_page(code: str, status_code: int = 400) -> HTMLResponse:
    html = _TEMPLATES.get_template("error.html.j2").render(code=code)
    return HTMLResponse(html, status_code=status_code, headers=_NO_STORE)
