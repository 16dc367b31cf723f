"""Browser fixtures for the e2e suite (a pytest plugin, registered by `pages.fixtures` after pytest-playwright).

A chain of small fixtures on top of pytest-playwright's, each overridable alone:

browser_type_launch_args  session   + Debian Chromium when Playwright's own browser is absent (HHL_CHROMIUM wins)
browser_context_args      session   + base_url = env.site_base_url; HTTPS errors ignored only on local
site_urls                 session   SiteUrls (hsCacheBuster on aws-kind envs)
site_api_base_url         session   the API the site's pages are wired to (env.site_api_base_url)
trace_policy              session   TracePolicy: the one policy for every trace (ours and --tracing's)
_artifacts_recorder       function  pytest-playwright's recorder, its tracing taken over by TracePolicy/guard_trace
signed_in_state           session   SignInOutcome: the browser sign-in through the hosted UI, once per process
enrollment_signed_in_state session  the same for `enrollment_user` (the enrollment journey's own user)
shots                     function  StepShots: `shots(page, "step")` → evidence NN-step.png
anon_context / anon_page  function  a fresh context (no cookies, no storage), traced per policy
signed_in_context / _page function  a context from the signed-in storage state, traced per policy
enrollment_context / _page function a context of the enrollment user
browser_api               function  BrowserApi: API reads with the signed-in context's cookies
enrollment_api            function  BrowserApi of the enrollment context
sign_in_journey           function  the SignInOutcome with its screenshots in this check's evidence

pytest-playwright's own options keep working: --headed, --browser, --slowmo, --screenshot, --video (into --output).
Its --tracing on|retain-on-failure does too, but through our guard: every context is traced by TracePolicy, the
trace is redacted and scanned (guard_trace) and kept in the check's evidence, never under --output.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright
from playwright.sync_api import Error as PlaywrightError
from pytest_playwright.pytest_playwright import (
    _ARTIFACTS_RECORDER_ATTR,
    ArtifactsRecorder,
    _test_failed_before_teardown,
)

from checks.errors import CheckFailure, LoginFailed
from checks.evidence import Evidence
from checks.login import SESSION_COOKIES
from checks.plugin.fixtures import UserCredentials
from checks.plugin.state import ITEM_CHECK, run_state
from environments import Environment
from pages.api import BrowserApi
from pages.artifacts import ContextTracer, StepShots, TracePolicy, has_typed_password
from pages.base import SiteUrls
from pages.session import HostedUiRefused, SignInOutcome, browser_sign_in

CHROMIUM_ENV_VAR = "HHL_CHROMIUM"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync")

_PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def chromium_override(own_executable: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Launch options for a system Chromium: HHL_CHROMIUM if set, else Debian's when Playwright's is absent."""
    explicit = environ.get(CHROMIUM_ENV_VAR)
    if not explicit and Path(own_executable).is_file():
        return {}
    executable = explicit or DEBIAN_CHROMIUM
    if not Path(executable).is_file():
        raise pytest.UsageError(
            f"no Chromium: Playwright's browser ({own_executable}) and {executable} are both missing; "
            f"install Debian's `chromium` or point {CHROMIUM_ENV_VAR} at a Chromium binary"
        )
    return {"executable_path": executable, "args": list(CHROMIUM_ARGS)}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report, so fixture teardowns know whether the check failed (trace policy)."""
    report = yield
    item.stash.setdefault(_PHASE_REPORTS, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(r.failed for r in request.node.stash.get(_PHASE_REPORTS, {}).values())


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str | None, playwright: Playwright
) -> dict[str, Any]:
    if (browser_name or "chromium") != "chromium" or "channel" in browser_type_launch_args:
        return browser_type_launch_args
    override = chromium_override(playwright.chromium.executable_path, os.environ)
    args = [*browser_type_launch_args.get("args", []), *override.pop("args", [])]
    return {**browser_type_launch_args, **override, **({"args": args} if args else {})}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], env: Environment) -> dict[str, Any]:
    return {**browser_context_args, "base_url": env.site_base_url, "ignore_https_errors": env.kind == "local"}


@pytest.fixture(scope="session")
def site_urls(env: Environment) -> SiteUrls:
    if not env.site_base_url:
        raise pytest.UsageError(f"{env.source_file}: `site_base_url` is not set for env {env.name}")
    return SiteUrls(env.site_base_url, cache_bust=env.kind == "aws")


@pytest.fixture(scope="session")
def site_api_base_url(env: Environment) -> str:
    value = env.site_api_base_url or env.api_base_url
    if not value:
        raise pytest.UsageError(f"{env.source_file}: neither `site_api_base_url` nor `api_base_url` is set")
    return value.rstrip("/")


@pytest.fixture(scope="session")
def trace_policy(pytestconfig: pytest.Config, env: Environment) -> TracePolicy:
    tracing = str(pytestconfig.getoption("--tracing", default="off") or "off")
    policy = TracePolicy(env.kind, keep_traces=run_state(pytestconfig).keep_traces, tracing=tracing)
    if policy.refused:
        warnings.warn(policy.refused, pytest.PytestWarning, stacklevel=1)
    return policy


class GuardedArtifactsRecorder(ArtifactsRecorder):
    """pytest-playwright's per-test recorder with its tracing taken over: it keeps screenshots and videos as
    before, but never starts a trace itself; every context it is told about is traced by a ContextTracer under
    the run's TracePolicy, and kept only through guard_trace into the check's evidence."""

    def __init__(self, *args: Any, policy: TracePolicy, title: str) -> None:
        super().__init__(*args)
        self._tracing_option, self._capture_trace = "off", False  # pytest-playwright records no trace
        self.policy, self.title = policy, title
        self.tracers: dict[BrowserContext, ContextTracer] = {}

    def on_did_create_browser_context(self, context: BrowserContext) -> None:
        super().on_did_create_browser_context(context)
        tracer = ContextTracer(self.policy, title=self.title)
        tracer.start(context)
        self.tracers[context] = tracer

    def on_will_close_browser_context(self, context: BrowserContext) -> None:
        evidence = self._request.node.stash.get(ITEM_CHECK, None) and self._request.getfixturevalue("evidence")
        if evidence is not None and _failed(self._request):  # the page as it was when the check failed (D2)
            for page in [p for p in context.pages if not p.is_closed() and not has_typed_password(p)]:
                with contextlib.suppress(PlaywrightError):  # a crashed page has nothing to show
                    page.screenshot(
                        path=evidence.path_for(f"failure-{len(list(evidence.directory.glob('failure-*'))) + 1}.png")
                    )
        tracer = self.tracers.get(context)
        if tracer is not None:
            tracer.stop()
        super().on_will_close_browser_context(context)

    def finish_traces(self, evidence: Evidence | None, *, failed: bool) -> None:
        for index, tracer in enumerate(self.tracers.values(), start=1):
            if evidence is None:
                tracer.discard()
            else:
                tracer.finish(evidence, failed=failed, prefix="trace" if len(self.tracers) == 1 else f"trace-c{index}")
        self.tracers.clear()


@pytest.fixture(scope="session")
def _pw_api_request_contexts() -> None:
    """pytest-playwright traces `playwright.request` contexts under --tracing outside any guard; the harness uses
    none (BrowserApi reads through the browser context), so that recording is off."""
    return None


@pytest.fixture
def _artifacts_recorder(
    request: pytest.FixtureRequest,
    output_path: str,
    playwright: Playwright,
    pytestconfig: pytest.Config,
    _pw_artifacts_folder: Any,
) -> Iterator[GuardedArtifactsRecorder]:
    """Overrides pytest-playwright's fixture of the same name, which `new_context` (so `context`, `page` and our
    contexts) reports every context to. Checks trace under the run's TracePolicy; other tests never trace."""
    is_check = ITEM_CHECK in request.node.stash
    policy = request.getfixturevalue("trace_policy") if is_check else TracePolicy("aws")
    evidence = request.getfixturevalue("evidence") if is_check else None
    recorder = GuardedArtifactsRecorder(
        pytestconfig,
        request,
        output_path,
        playwright,
        _pw_artifacts_folder,
        None,
        policy=policy,
        title=request.node.nodeid,
    )
    yield recorder
    recorder.collect_videos()
    recorder.finish_traces(evidence, failed=_failed(request))
    if _test_failed_before_teardown(request.node):
        recorder.did_finish_test(failed=True)
    setattr(request.node, _ARTIFACTS_RECORDER_ATTR, recorder)


@pytest.fixture
def shots(evidence: Evidence) -> StepShots:
    return StepShots(evidence)


@pytest.fixture
def anon_context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """No cookies and no storage: a first-time visitor (traced by the recorder, per policy)."""
    return new_context()


@pytest.fixture
def anon_page(anon_context: BrowserContext) -> Page:
    return anon_context.new_page()


def _sign_in_state(
    request: pytest.FixtureRequest, browser: Browser, user: UserCredentials, title: str
) -> Iterator[SignInOutcome | HostedUiRefused]:
    """One browser sign-in as `user`; a failure is cached by pytest (session scope) and never retried. A hosted UI
    that refuses the site's authorize request is returned (not raised): e2e.login.full_flow judges it."""
    env = request.getfixturevalue("env")
    if not env.cognito.domain:
        raise pytest.UsageError(f"{env.source_file}: `cognito.domain` is not set for env {env.name}")
    try:
        outcome = browser_sign_in(
            browser,
            request.getfixturevalue("browser_context_args"),
            urls=request.getfixturevalue("site_urls"),
            course_slug=env.content.course,
            hosted_ui=env.cognito.domain,
            username=user.username,
            password=user.password,
            tracer=ContextTracer(request.getfixturevalue("trace_policy"), title=title),
            guard=request.getfixturevalue("login_guard"),
        )
    except HostedUiRefused as refused:
        yield refused
        return
    cookies = {c["name"]: c.get("value", "") for c in outcome.storage_state.get("cookies", [])}
    session = {name: value for name, value in cookies.items() if name in SESSION_COOKIES}
    request.getfixturevalue("user_cleanup").signed_in(user.username, session)
    yield outcome
    if outcome.tracer is not None:
        outcome.tracer.discard()


def _signed_in(state: SignInOutcome | HostedUiRefused) -> SignInOutcome:
    """The outcome for journeys that need a session; a refused sign-in is their error (full_flow owns the red)."""
    if isinstance(state, HostedUiRefused):
        raise LoginFailed(f"no browser session: {state} (judged by e2e.login.full_flow)")
    return state


@pytest.fixture(scope="session")
def signed_in_state(
    request: pytest.FixtureRequest, browser: Browser, test_user: UserCredentials
) -> Iterator[SignInOutcome | HostedUiRefused]:
    """Signed in through the browser once per process, as this process's `test_user`."""
    yield from _sign_in_state(request, browser, test_user, "browser sign-in")


@pytest.fixture(scope="session")
def enrollment_signed_in_state(
    request: pytest.FixtureRequest, browser: Browser, enrollment_user: UserCredentials
) -> Iterator[SignInOutcome | HostedUiRefused]:
    """Signed in through the browser as `enrollment_user`: the enrollment journey's own data."""
    yield from _sign_in_state(request, browser, enrollment_user, "browser sign-in (enrollment user)")


@pytest.fixture
def sign_in_journey(
    signed_in_state: SignInOutcome | HostedUiRefused,
    shots: StepShots,
    evidence: Evidence,
    request: pytest.FixtureRequest,
) -> Iterator[SignInOutcome]:
    """The shared sign-in as this check's own journey: its step screenshots (and trace per policy) land here. A
    hosted UI that refused the site's authorize request is this check's failure (a defect of the target)."""
    if isinstance(signed_in_state, HostedUiRefused):
        evidence.record(actual={"hosted_ui": signed_in_state.where, "error": signed_in_state.error})
        raise CheckFailure(f"{signed_in_state} (is the env's cognito.callback_url registered on the app client?)")
    for step, png in signed_in_state.screenshots:
        shots.save(step, png)
    yield signed_in_state
    if signed_in_state.tracer is not None:
        signed_in_state.tracer.finish(evidence, failed=_failed(request))


def _state_context(
    new_context: Callable[..., BrowserContext], state: SignInOutcome | HostedUiRefused
) -> BrowserContext:
    """A context holding a signed-in session (a copy: signing out there leaves other journeys signed in)."""
    return new_context(storage_state=_signed_in(state).storage_state)


@pytest.fixture
def signed_in_context(
    new_context: Callable[..., BrowserContext], signed_in_state: SignInOutcome | HostedUiRefused
) -> BrowserContext:
    return _state_context(new_context, signed_in_state)


@pytest.fixture
def signed_in_page(signed_in_context: BrowserContext) -> Page:
    return signed_in_context.new_page()


@pytest.fixture
def browser_api(signed_in_context: BrowserContext, site_api_base_url: str) -> BrowserApi:
    return BrowserApi(signed_in_context, site_api_base_url)


@pytest.fixture
def enrollment_context(
    new_context: Callable[..., BrowserContext], enrollment_signed_in_state: SignInOutcome | HostedUiRefused
) -> BrowserContext:
    return _state_context(new_context, enrollment_signed_in_state)


@pytest.fixture
def enrollment_page(enrollment_context: BrowserContext) -> Page:
    return enrollment_context.new_page()


@pytest.fixture
def enrollment_api(enrollment_context: BrowserContext, site_api_base_url: str) -> BrowserApi:
    return BrowserApi(enrollment_context, site_api_base_url)
