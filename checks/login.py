"""Sign in over plain HTTP through the hosted UI (sandbox stand-in or real Cognito's classic UI, same form
fields): /auth/login → /oauth2/authorize → /login (form, _csrf) → POST credentials → /auth/callback.

One failed sign-in stops every later attempt in the process (lockout guard): a wrong password must not be
retried until Cognito locks the reserved test user out.

>>> session = sign_in(http, api_base_url=env.api_base_url, username=u, password=p)   # doctest: +SKIP
>>> session.cookies["hhl_access_token"]  # also registered as a secret
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from checks.errors import LoginFailed
from checks.http import HttpClient, Response
from checks.secrets import register_secret

__all__ = [
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "TXN_COOKIE",
    "LoginForm",
    "SignedInSession",
    "reset_lockout_guard",
    "sign_in",
    "submit_login_form",
]

ACCESS_COOKIE = "hhl_access_token"
REFRESH_COOKIE = "hhl_refresh_token"
TXN_COOKIE = "hhl_auth_txn"

_guard = threading.Lock()
_failed: list[str] = []  # the first failure, kept for the process lifetime


@dataclass
class SignedInSession:
    """The result of one HTTP sign-in. Token values live in memory only and are registered as secrets."""

    cookies: dict[str, str]
    access_token: str
    refresh_token: str
    callback: Response  # the callback exchange (302 + Set-Cookie), for checks that judge it
    final_location: str
    hops: list[Response] = field(default_factory=list)


class LoginForm(HTMLParser):
    """The hosted UI's login page: the first <form> containing a password input (its action and hidden inputs,
    _csrf...) and the text of `#loginErrorMessage`. Also used by the API suites' hop-by-hop login."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.error: str = ""
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "password": False})
        elif tag == "input" and self.forms:
            form = self.forms[-1]
            if a.get("type") == "password" or a.get("name") == "password":
                form["password"] = True
            if a.get("type") == "hidden" and a.get("name"):
                form["fields"].setdefault(a["name"], a.get("value", ""))
        if a.get("id") == "loginErrorMessage":
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False if tag in ("p", "div", "span") else self._in_error

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self.error += data.strip()

    def login_form(self) -> dict | None:
        return next((f for f in self.forms if f["password"]), None)


def submit_login_form(
    http: HttpClient, login_url: str, form: dict, cookies: dict[str, str], *, username: str, password: str
) -> Response:
    """POST the credentials with the form's hidden fields to its action (resolved against the login page)."""
    action = urljoin(login_url, html.unescape(form["action"]) or login_url)
    fields = {**form["fields"], "username": username, "password": password, "signInSubmitButton": "Sign in"}
    return http.post(action, data=fields, cookies=cookies)


def _expect_redirect(response: Response, step: str) -> str:
    if response.status not in (301, 302, 303, 307) or not response.location:
        raise LoginFailed(f"sign-in step '{step}': expected a redirect, got {response.describe()}")
    return urljoin(response.url, response.location)


def _check_guard() -> None:
    with _guard:
        if _failed:
            raise LoginFailed(f"not retrying sign-in after an earlier failure (lockout guard): {_failed[0]}")


def _fail(message: str) -> LoginFailed:
    with _guard:
        if not _failed:
            _failed.append(message)
    return LoginFailed(message)


def sign_in(
    http: HttpClient, *, api_base_url: str, username: str, password: str, redirect_url: str = "/learn"
) -> SignedInSession:
    """Run the whole sign-in; raises LoginFailed with one message naming the step that went wrong."""
    _check_guard()
    register_secret(password)
    api = api_base_url.rstrip("/")
    hops: list[Response] = []

    start = http.get(f"{api}/auth/login", params={"redirect_url": redirect_url})
    hops.append(start)
    authorize = _expect_redirect(start, "GET /auth/login")
    txn = start.set_cookies.get(TXN_COOKIE)
    idp_cookies: dict[str, str] = {}

    to_login = http.get(authorize, cookies=idp_cookies)
    hops.append(to_login)
    # Real Cognito sets XSRF-TOKEN already on authorize; the stand-in on /login. Keep both, like a browser.
    idp_cookies.update({n: c.value for n, c in to_login.set_cookies.items() if c.value})
    login_url = _expect_redirect(to_login, "GET /oauth2/authorize")
    if urlsplit(login_url).path.rstrip("/").endswith("/error"):
        raise _fail(f"the hosted UI refused the authorize request: {login_url}")

    page = http.get(login_url, cookies=idp_cookies)
    hops.append(page)
    idp_cookies.update({n: c.value for n, c in page.set_cookies.items() if c.value})
    parser = LoginForm()
    parser.feed(page.text)
    form = parser.login_form()
    if page.status != 200 or form is None:
        raise _fail(f"sign-in step 'GET /login': no login form with a password field ({page.describe()})")

    submitted = submit_login_form(http, login_url, form, idp_cookies, username=username, password=password)
    hops.append(submitted)
    if submitted.status == 200:
        reason = LoginForm()
        reason.feed(submitted.text)
        raise _fail(f"the hosted UI rejected the test user's credentials: {reason.error or 'login form shown again'}")
    callback_url = _expect_redirect(submitted, "POST /login")
    query = parse_qs(urlsplit(callback_url).query)
    if "code" not in query:
        raise _fail(f"the hosted UI redirected without a code (error={query.get('error', ['?'])[0]})")

    callback = http.get(callback_url, cookies={TXN_COOKIE: txn.value} if txn and txn.value else {})
    hops.append(callback)
    final = _expect_redirect(callback, "GET /auth/callback")
    set_cookies = callback.set_cookies
    tokens = {name: set_cookies[name].value for name in (ACCESS_COOKIE, REFRESH_COOKIE) if name in set_cookies}
    for value in tokens.values():
        register_secret(value)
    if not tokens.get(ACCESS_COOKIE):
        raise _fail(f"the callback set no {ACCESS_COOKIE} cookie ({callback.status}, Location {final})")
    return SignedInSession(
        cookies={k: v for k, v in tokens.items() if v},
        access_token=tokens[ACCESS_COOKIE],
        refresh_token=tokens.get(REFRESH_COOKIE, ""),
        callback=callback,
        final_location=final,
        hops=hops,
    )


def reset_lockout_guard() -> None:
    """For the project's own tests only."""
    with _guard:
        _failed.clear()
