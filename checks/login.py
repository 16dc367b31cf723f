"""Sign in over plain HTTP through the hosted UI (sandbox stand-in or real Cognito's classic UI, same form
fields): /auth/login → /oauth2/authorize → /login (form, _csrf) → POST credentials → /auth/callback.

The steps are shared: `sign_in` (the harness's session) composes them, the API suites step through them one by one
(suites/api/flows.py). Each failure is a LoginFailed subclass naming whose part broke (checks/errors.py).

One failed sign-in stops every later attempt in the run (`LockoutGuard`, HTTP and browser alike): a wrong password
must not be retried until Cognito locks the reserved test user out.

>>> session = sign_in(http, api_base_url=env.api_base_url, username=u, password=p)   # doctest: +SKIP
>>> session.cookies["hhl_access_token"]  # also registered as a secret
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from checks.errors import (
    CredentialsRejected,
    LoginBrokenByBackend,
    LoginFailed,
    LoginLockedOut,
    LoginRefused,
)
from checks.http import HttpClient, Response
from checks.secrets import register_secret

__all__ = [
    "ACCESS_COOKIE",
    "PROCESS_GUARD",
    "REFRESH_COOKIE",
    "SESSION_COOKIES",
    "TXN_COOKIE",
    "LockoutGuard",
    "LoginForm",
    "LoginStart",
    "SignedInSession",
    "broken_by_backend",
    "hosted_ui_code",
    "reset_lockout_guard",
    "sign_in",
    "start_login",
    "submit_login_form",
]

# SPEC §3.3: the session cookies and the sealed login-transaction cookie (defined here only).
ACCESS_COOKIE = "hhl_access_token"
REFRESH_COOKIE = "hhl_refresh_token"
SESSION_COOKIES = (ACCESS_COOKIE, REFRESH_COOKIE)
TXN_COOKIE = "hhl_auth_txn"

# What a guard file can say caused the lockout (the subclass a reader re-raises it as).
_CAUSES: dict[str, type[LoginFailed]] = {
    cls.__name__: cls for cls in (CredentialsRejected, LoginRefused, LoginBrokenByBackend, LoginFailed)
}


class LockoutGuard:
    """The first failed sign-in of a run, kept so that no later sign-in is tried: in this process's memory and,
    given a path (the run's shared directory), in a file every worker and the browser sign-in read."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._first: LoginFailed | None = None

    def check(self) -> None:
        """Raise LoginLockedOut if a sign-in of this run already failed."""
        with self._lock:
            first = self._first
        if first is not None:
            raise LoginLockedOut(str(first), _cause_of(first))
        if self.path is not None and self.path.is_file():
            recorded = json.loads(self.path.read_text(encoding="utf-8"))
            raise LoginLockedOut(recorded["message"], _CAUSES.get(recorded["cause"], LoginFailed))

    def trip(self, failure: LoginFailed) -> LoginFailed:
        """Record `failure` (the first one wins) and return it for raising."""
        if isinstance(failure, LoginLockedOut):
            return failure
        with self._lock:
            if self._first is None:
                self._first = failure
                if self.path is not None and not self.path.exists():
                    record = {"cause": _cause_of(failure).__name__, "message": str(failure)}
                    self.path.write_text(json.dumps(record), encoding="utf-8")
        return failure

    def reset(self) -> None:
        """For the project's own tests only."""
        with self._lock:
            self._first = None


def _cause_of(failure: LoginFailed) -> type[LoginFailed]:
    return next(cls for cls in type(failure).__mro__ if cls.__name__ in _CAUSES and issubclass(cls, LoginFailed))


def broken_by_backend(failure: LoginFailed) -> bool:
    """Whether the backend's part of the login failed (a finding of the target), now or in the sign-in that
    locked the run out."""
    if isinstance(failure, LoginLockedOut):
        return issubclass(failure.cause, LoginBrokenByBackend)
    return isinstance(failure, LoginBrokenByBackend)


PROCESS_GUARD = LockoutGuard()  # sign-ins outside a run's fixtures (benchmarks, scripts)


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


def expect_redirect(response: Response, step: str, failure: type[LoginFailed]) -> str:
    """The hop's Location resolved against its request URL; anything but a redirect is `failure`."""
    if response.status not in (301, 302, 303, 307) or not response.location:
        raise failure(f"sign-in step '{step}': expected a redirect, got {response.describe()}")
    return urljoin(response.url, response.location)


@dataclass(frozen=True)
class LoginStart:
    """The answer of `GET /auth/login`: the authorize URL, its query and the sealed transaction cookie."""

    response: Response
    authorize_url: str
    params: dict[str, str]
    txn: str

    @property
    def txn_cookie(self) -> dict[str, str]:
        return {TXN_COOKIE: self.txn} if self.txn else {}


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def start_login(http: HttpClient, login_url: str, redirect_url: str | None = "/learn") -> LoginStart:
    """`GET /auth/login`; no redirect to the hosted UI is the backend's failure."""
    response = http.get(login_url, params=None if redirect_url is None else {"redirect_url": redirect_url})
    authorize_url = expect_redirect(response, "GET /auth/login", LoginBrokenByBackend)
    txn = response.set_cookies.get(TXN_COOKIE)
    return LoginStart(response, authorize_url, _query(authorize_url), txn.value if txn and txn.value else "")


def hosted_ui_code(
    http: HttpClient, authorize_url: str, *, username: str, password: str, hops: list[Response] | None = None
) -> str:
    """authorize → /login form → POST credentials → the redirect carrying `code` (returned, not followed).
    Hosted-UI cookies are passed per request, like a browser's for that site only."""
    register_secret(password)
    hops = [] if hops is None else hops
    idp_cookies: dict[str, str] = {}
    to_login = http.get(authorize_url, cookies=idp_cookies)
    hops.append(to_login)
    # Real Cognito sets XSRF-TOKEN already on authorize; the stand-in on /login. Keep both, like a browser.
    idp_cookies.update({n: c.value for n, c in to_login.set_cookies.items() if c.value})
    login_url = expect_redirect(to_login, "GET /oauth2/authorize", LoginRefused)
    if urlsplit(login_url).path.rstrip("/").endswith("/error"):
        raise LoginRefused(f"the hosted UI refused the authorize request: {login_url}")

    page = http.get(login_url, cookies=idp_cookies)
    hops.append(page)
    idp_cookies.update({n: c.value for n, c in page.set_cookies.items() if c.value})
    parser = LoginForm()
    parser.feed(page.text)
    form = parser.login_form()
    if page.status != 200 or form is None:
        raise LoginRefused(f"sign-in step 'GET /login': no login form with a password field ({page.describe()})")

    submitted = submit_login_form(http, login_url, form, idp_cookies, username=username, password=password)
    hops.append(submitted)
    if submitted.status == 200:
        reason = LoginForm()
        reason.feed(submitted.text)
        shown = reason.error or "login form shown again"
        raise CredentialsRejected(f"the hosted UI rejected the test user's credentials: {shown}")
    callback_url = expect_redirect(submitted, "POST /login", LoginRefused)
    query = _query(callback_url)
    if "code" not in query:
        raise LoginRefused(f"the hosted UI redirected without a code (error={query.get('error', '?')})")
    register_secret(query["code"])
    return callback_url


def sign_in(
    http: HttpClient,
    *,
    api_base_url: str,
    username: str,
    password: str,
    redirect_url: str = "/learn",
    guard: LockoutGuard = PROCESS_GUARD,
) -> SignedInSession:
    """Run the whole sign-in; raises a LoginFailed subclass with one message naming the step that went wrong."""
    guard.check()
    try:
        return _sign_in(http, api_base_url.rstrip("/"), username, password, redirect_url)
    except LoginFailed as failure:
        raise guard.trip(failure) from None


def _sign_in(http: HttpClient, api: str, username: str, password: str, redirect_url: str) -> SignedInSession:
    hops: list[Response] = []
    start = start_login(http, f"{api}/auth/login", redirect_url)
    hops.append(start.response)
    callback_url = hosted_ui_code(http, start.authorize_url, username=username, password=password, hops=hops)
    callback = http.get(callback_url, cookies=start.txn_cookie)
    hops.append(callback)
    final = expect_redirect(callback, "GET /auth/callback", LoginBrokenByBackend)
    set_cookies = callback.set_cookies
    tokens = {name: set_cookies[name].value for name in SESSION_COOKIES if name in set_cookies}
    for value in tokens.values():
        register_secret(value)
    if not tokens.get(ACCESS_COOKIE):
        raise LoginBrokenByBackend(f"the callback set no {ACCESS_COOKIE} cookie ({callback.status}, Location {final})")
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
    PROCESS_GUARD.reset()
