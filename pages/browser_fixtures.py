"""Browser fixtures for the e2e suite (pytest plugin: `pytest_plugins = [..., "pages.fixtures"]`).

A chain of small fixtures on top of pytest-playwright's, each overridable alone:

browser_type_launch_args  session   + Debian Chromium when Playwright's own browser is absent (HHL_CHROMIUM wins)
browser_context_args      session   + base_url = env.site_base_url; HTTPS errors ignored only on local
site_urls                 session   SiteUrls (hsCacheBuster on aws-kind envs)
site_api_base_url         session   the API the site's pages are wired to (env.site_api_base_url)
trace_policy              session   TracePolicy: trace kept on failure, locally (dev/prod: --keep-traces)
signed_in_state           session   SignInOutcome: the browser sign-in through the hosted UI, once per process
shots                     function  StepShots: `shots(page, "step")` → evidence NN-step.png
anon_context / anon_page  function  a fresh context (no cookies, no storage), traced per policy
signed_in_context / _page function  a context from the signed-in storage state, traced per policy
browser_api               function  BrowserApi: API reads with the signed-in context's cookies
sign_in_journey           function  the SignInOutcome with its screenshots in this check's evidence

pytest-playwright's own options keep working: --headed, --browser, --slowmo, --screenshot, --video, --tracing
(with --tracing on/retain-on-failure pytest-playwright records the contexts and ours stays out of the way).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from checks.evidence import Evidence
from checks.plugin.fixtures import LOGIN_GUARD_FILE, UserCredentials
from checks.plugin.state import run_state
from environments import Environment
from pages.api import BrowserApi
from pages.artifacts import ContextTracer, StepShots, TracePolicy
from pages.base import SiteUrls
from pages.session import SignInOutcome, browser_sign_in

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
    delegated = pytestconfig.getoption("--tracing", default="off") != "off"
    return TracePolicy(env.kind, keep_traces=run_state(pytestconfig).keep_traces, delegated=delegated)


@pytest.fixture
def shots(evidence: Evidence) -> StepShots:
    return StepShots(evidence)


def _traced_context(
    make: Callable[[], BrowserContext], policy: TracePolicy, request: pytest.FixtureRequest, evidence: Evidence
) -> Iterator[BrowserContext]:
    tracer = ContextTracer(policy, title=request.node.nodeid)
    context = make()
    tracer.start(context)
    yield context
    tracer.finish(evidence, failed=_failed(request))


@pytest.fixture
def anon_context(
    new_context: Callable[..., BrowserContext],
    trace_policy: TracePolicy,
    request: pytest.FixtureRequest,
    evidence: Evidence,
) -> Iterator[BrowserContext]:
    """No cookies and no storage: a first-time visitor."""
    yield from _traced_context(new_context, trace_policy, request, evidence)


@pytest.fixture
def anon_page(anon_context: BrowserContext) -> Page:
    return anon_context.new_page()


@pytest.fixture(scope="session")
def signed_in_state(
    pytestconfig: pytest.Config,
    browser: Browser,
    browser_context_args: dict[str, Any],
    env: Environment,
    site_urls: SiteUrls,
    trace_policy: TracePolicy,
    test_user: UserCredentials,
) -> Iterator[SignInOutcome]:
    """Signed in through the browser once per process; a failure is cached by pytest and never retried."""
    if not env.cognito.domain:
        raise pytest.UsageError(f"{env.source_file}: `cognito.domain` is not set for env {env.name}")
    outcome = browser_sign_in(
        browser,
        browser_context_args,
        urls=site_urls,
        course_slug=env.content.course,
        hosted_ui=env.cognito.domain,
        username=test_user.username,
        password=test_user.password,
        tracer=ContextTracer(trace_policy, title="browser sign-in"),
        guard=run_state(pytestconfig).shared_dir / LOGIN_GUARD_FILE,
    )
    yield outcome
    if outcome.tracer is not None:
        outcome.tracer.discard()


@pytest.fixture
def sign_in_journey(
    signed_in_state: SignInOutcome, shots: StepShots, evidence: Evidence, request: pytest.FixtureRequest
) -> Iterator[SignInOutcome]:
    """The shared sign-in as this check's own journey: its step screenshots (and trace on failure) land here."""
    for step, png in signed_in_state.screenshots:
        shots.save(step, png)
    yield signed_in_state
    if signed_in_state.tracer is not None:
        signed_in_state.tracer.finish(evidence, failed=_failed(request))


@pytest.fixture
def signed_in_context(
    new_context: Callable[..., BrowserContext],
    signed_in_state: SignInOutcome,
    trace_policy: TracePolicy,
    request: pytest.FixtureRequest,
    evidence: Evidence,
) -> Iterator[BrowserContext]:
    """A context holding the test user's session (a copy: signing out here leaves other journeys signed in)."""

    def make() -> BrowserContext:
        return new_context(storage_state=signed_in_state.storage_state)

    yield from _traced_context(make, trace_policy, request, evidence)


@pytest.fixture
def signed_in_page(signed_in_context: BrowserContext) -> Page:
    return signed_in_context.new_page()


@pytest.fixture
def browser_api(signed_in_context: BrowserContext, site_api_base_url: str) -> BrowserApi:
    return BrowserApi(signed_in_context, site_api_base_url)
