"""The sandbox serves whichever function version alias `live` points at, as API Gateway does.

moto holds the function's versions and the alias (configuration only: invoking needs Docker), and the backend runs
in this process. Between the two sits this dispatcher: for each request it reads the alias from moto (`GetAlias`,
at most `ALIAS_TTL_S` old: like Lambda, an alias move reaches the front door within a bound, and a GetAlias per
request would add one moto round trip to every request of the load suite), then that version's configuration
(cached per version: a published version is immutable), and serves the request with a backend built for it.
The version-specific seam is one environment variable of the version,
`HHL_SANDBOX_FAULTS` (comma-separated `backend.*` fault names of `sandbox/faults.py`): a release published with it
answers with those faults planted, so `aws lambda update-alias --name live` really changes what answers (the
rollback rehearsal, `make rehearse-rollback`). Without an alias (`provision.no_alias`) the integration targets the
bare function, i.e. `$LATEST`, whose configuration is read on every request.

Only the seam moves with the version; table names, Cognito settings and code are the sandbox's own (one backend
package is installed here), so a version can differ from another only by the faults it names.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

FAULTS_VARIABLE = "HHL_SANDBOX_FAULTS"
LATEST = "$LATEST"
ALIAS_TTL_S = 1.0  # an alias move is served from at most this long after update-alias returned


def version_faults(variables: dict[str, str] | None) -> frozenset[str]:
    raw = (variables or {}).get(FAULTS_VARIABLE, "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


class LiveAliasResolver:
    """`faults()` → the fault names of the version behind the alias (read at most `ttl_s` ago)."""

    def __init__(
        self,
        lambda_client: Any,
        function_name: str,
        alias: str = "live",
        *,
        ttl_s: float = ALIAS_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lambda = lambda_client
        self._function = function_name
        self._alias = alias
        self._ttl_s = ttl_s
        self._clock = clock
        self._by_version: dict[str, frozenset[str]] = {}
        self._current: tuple[float, str] | None = None  # (read at, version)
        self._lock = threading.Lock()

    def cached_faults(self) -> frozenset[str] | None:
        """The answer without any I/O while the alias read is fresh and its version's faults are known, else None."""
        current = self._current
        if current is None or self._clock() - current[0] >= self._ttl_s:
            return None
        return self._by_version.get(current[1])

    def version(self) -> str:
        now = self._clock()
        current = self._current
        if current is not None and now - current[0] < self._ttl_s:
            return current[1]
        try:
            version = str(self._lambda.get_alias(FunctionName=self._function, Name=self._alias)["FunctionVersion"])
        except self._lambda.exceptions.ResourceNotFoundException:
            version = LATEST  # no alias: the integration targets the bare function
        self._current = (now, version)
        return version

    def faults(self) -> frozenset[str]:
        version = self.version()
        cached = self._by_version.get(version)
        if cached is not None:
            return cached
        config = self._lambda.get_function_configuration(FunctionName=self._function, Qualifier=version)
        faults = version_faults((config.get("Environment") or {}).get("Variables"))
        if version != LATEST:  # $LATEST can change under the same name; a published version cannot
            with self._lock:
                self._by_version[version] = faults
        return faults


class LiveAliasBackend:
    """ASGI app: each HTTP request goes to the backend built for the faults of the version behind `live`.

    `make_app(faults)` builds a backend with the sandbox's start-up faults plus `faults`; apps are kept per fault
    set. Non-HTTP scopes (lifespan) go to the start-up backend."""

    def __init__(self, make_app: Callable[[frozenset[str]], ASGIApp], resolver: LiveAliasResolver) -> None:
        self._make_app = make_app
        self._resolver = resolver
        self._apps: dict[frozenset[str], ASGIApp] = {frozenset(): make_app(frozenset())}
        self._lock = threading.Lock()

    def app_for(self, faults: frozenset[str]) -> ASGIApp:
        app = self._apps.get(faults)
        if app is None:
            with self._lock:
                app = self._apps.get(faults)
                if app is None:
                    app = self._apps[faults] = self._make_app(faults)
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._apps[frozenset()](scope, receive, send)
            return
        faults = self._resolver.cached_faults()  # the common case: no thread hop, no moto call
        if faults is None:
            faults = await run_in_threadpool(self._resolver.faults)
        app = self._apps.get(faults)
        if app is None:
            app = await run_in_threadpool(self.app_for, faults)
        await app(scope, receive, send)
