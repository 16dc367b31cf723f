"""The per-app state of the hosted-UI stand-in (on `app.state.idp`) and the helpers every route shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse

from sandbox.idp.directory import Directory, UserRecord
from sandbox.idp.grants import Clock, GrantStore
from sandbox.idp.keys import SigningKeys
from sandbox.idp.switches import NO_FAULTS, FaultSwitches
from sandbox.idp.tokens import TokenMinter

SESSION_COOKIE = "cognito"
CSRF_COOKIE = "XSRF-TOKEN"


@dataclass
class IdpContext:
    public_base_url: str
    user_pool_id: str
    directory: Directory
    keys: SigningKeys
    clock: Clock
    grants: GrantStore
    minter: TokenMinter
    sandbox_faults: frozenset[str]  # accepted for the orchestrator's sake; none needs logic in the stand-in yet
    switches: FaultSwitches = NO_FAULTS  # replaced wholesale by the faults hook (every user)
    # Per-user switches (the faults hook with `?user=<email>`): only that user's grants get them, so concurrent
    # runs and xdist workers, each with its own user, never see each other's defects. Keys are lower-cased.
    user_switches: dict[str, FaultSwitches] = field(default_factory=dict)

    def switches_for(self, user: UserRecord) -> FaultSwitches:
        """The user's own switches when set (by email, username or sub), else the global ones."""
        for name in (user.attributes.get("email", ""), user.username, user.sub):
            scoped = self.user_switches.get(name.lower()) if name else None
            if scoped is not None:
                return scoped
        return self.switches

    @property
    def issuer(self) -> str:
        return self.minter.issuer

    @property
    def secure_cookies(self) -> bool:
        return self.public_base_url.startswith("https://")

    def url(self, path: str) -> str:
        return f"{self.public_base_url}{path}"


def context_of(request: Request) -> IdpContext:
    return request.app.state.idp


def with_query(url: str, params: dict[str, str | None]) -> str:
    """`url` with `params` appended to its query (None values skipped); a registered callback may carry a query."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((key, value) for key, value in params.items() if value is not None)
    return urlunsplit(parts._replace(query=urlencode(query)))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


def error_page_redirect(code: str) -> RedirectResponse:
    """SPEC §9: errors that must not go to the client's redirect URI land on the stand-in's own /error page."""
    return redirect(with_query("/error", {"error": code}))
