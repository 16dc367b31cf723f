"""Run identity and lifecycle: options, the env file, the run's id and directories, the scope, xdist hand-off,
and interruption (SIGTERM becomes an interrupted finish, never a silent death that leaves the sandbox behind).

Registers the other plugin objects of the gate (collection, results) on `pytest_configure`."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from checks.catalog import CATALOG
from checks.errors import MissingCredentials
from checks.plugin import hookspecs
from checks.plugin.collection import SUITES_DIR, CatalogMarkers, PrerequisiteOrder
from checks.plugin.fixtures import reserved_users
from checks.plugin.options import add_options
from checks.plugin.results import ResultCollector
from checks.plugin.sandbox import start_run_sandbox, stop_sandbox
from checks.plugin.state import RUN_STATE, RunState, run_state
from checks.secrets import REGISTRY
from checks.vocabulary import RunScope, base_id
from environments import Environment, EnvironmentFileError, load_environment
from environments.loader import PROJECT_ROOT
from sandbox.niceness import carry_nice_to_autogroup

_WORKER_KEYS = ("hhl_run_id", "hhl_run_dir", "hhl_shared_dir", "hhl_started_at", "hhl_scope")
SignalHandler = Callable[[int, FrameType | None], Any] | int | None  # what signal.signal takes and returns
_PREVIOUS_HANDLERS = pytest.StashKey[dict[signal.Signals, SignalHandler]]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _usage(condition: bool, message: str) -> None:
    if condition:
        raise pytest.UsageError(message)


def scope_of(option: Any) -> RunScope:
    """`--scope`, else `smoke` when the `-m` expression selects the smoke marker (not `not smoke`)."""
    if option.hhl_scope:
        return option.hhl_scope  # one of RUN_SCOPES: argparse's choices= refused anything else
    tokens = re.findall(r"[\w.]+", getattr(option, "markexpr", "") or "")
    positive = any(t == "smoke" and (i == 0 or tokens[i - 1] != "not") for i, t in enumerate(tokens))
    return "smoke" if positive else "full"


def _check_report_dir(path: Path) -> None:
    """Never mix runs: a non-empty --report-dir is refused (the manifest would list another run's files)."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise pytest.UsageError(
            f"--report-dir {path}: not an empty directory; give a new path (or remove the old run) so that one run "
            "directory holds exactly one run"
        )


def _check_waivers(env: Environment) -> None:
    unknown = [(i, w.check) for i, w in enumerate(env.waivers) if base_id(w.check) not in CATALOG]
    _usage(
        bool(unknown),
        "; ".join(
            f"{env.source_file}: waivers[{i}].check: {check!r} is not a check id of checks/catalog.yaml"
            for i, check in unknown
        ),
    )


def _credentials_error(env: Environment) -> str:
    """An AWS env without its reserved test users cannot run a signed-in check: say so once, before any runs."""
    if env.kind == "local":
        return ""
    try:
        reserved_users(env)
    except MissingCredentials as exc:
        return f"{exc}; every check that needs a signed-in session is blocked"
    return ""


# xdist modes that bypass the gate's scheduler (prerequisite order, the writing checks' groups, checks.users).
_UNSUPPORTED_DIST = ("loadscope", "loadfile", "worksteal")


def _new_run(env: Environment, config: pytest.Config) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    run_id = f"{env.name}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    report_dir = config.option.hhl_report_dir
    if report_dir:
        _check_report_dir(Path(report_dir))
    return {
        "hhl_run_id": run_id,
        "hhl_run_dir": str(Path(report_dir) if report_dir else config.rootpath / "verification-output" / run_id),
        "hhl_shared_dir": tempfile.mkdtemp(prefix="hhl-run-"),
        "hhl_started_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "hhl_scope": scope_of(config.option),
    }


def _load_env(option: Any) -> Environment:
    try:
        return load_environment(option.hhl_env)
    except EnvironmentFileError as exc:
        raise pytest.UsageError(str(exc)) from None


MARKERS = (
    "check(id): the SPEC §10 check this test item implements (one per test)",
    "area(name): api | e2e | infra | security | crm | load (derived from the check catalog)",
    "severity(level): critical | high | medium | low (derived from the check catalog)",
    "writes(kind): none | user | fault (derived from the check catalog)",
    "smoke: the catalog's post-deploy / post-rollback smoke scope (derived from the check catalog)",
)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    carry_nice_to_autogroup()  # a niced run started in a session of its own stays niced (sandbox.niceness)
    option = config.option
    env = _load_env(option)
    sandbox_state = Path(option.hhl_sandbox_state) if option.hhl_sandbox_state else None
    faults = tuple(option.hhl_sandbox_faults)
    _usage(env.kind != "local" and bool(sandbox_state or faults), "--sandbox-state/--sandbox-fault need a local env")
    _usage(bool(sandbox_state and faults), "--sandbox-fault needs a sandbox started by the run, not --sandbox-state")
    _usage(sandbox_state is not None and not sandbox_state.is_file(), f"--sandbox-state {sandbox_state}: no such file")
    _check_waivers(env)
    dist = getattr(option, "dist", "no")
    _usage(
        dist in _UNSUPPORTED_DIST and _targets_suites(config),
        f"--dist {dist}: the gate schedules its checks itself (prerequisites first, writing checks grouped); "
        "use -n N with the default --dist load",
    )
    credentials = env.credentials
    REGISTRY.register_all(
        s.get_secret_value() if s else None for s in (credentials.test_password, credentials.hubspot_token)
    )
    workerinput = getattr(config, "workerinput", None)
    run = {k: workerinput[k] for k in _WORKER_KEYS} if workerinput else _new_run(env, config)
    config.stash[RUN_STATE] = RunState(
        run_id=run["hhl_run_id"],
        run_dir=Path(run["hhl_run_dir"]),
        shared_dir=Path(run["hhl_shared_dir"]),
        env_arg=option.hhl_env,
        base_env=env,
        started_at=run["hhl_started_at"],
        is_worker=workerinput is not None,
        owns_shared_dir=workerinput is None,
        sandbox_state=sandbox_state,
        sandbox_faults=faults,
        baseline=Path(option.hhl_baseline) if option.hhl_baseline else None,
        keep_traces=option.hhl_keep_traces,
        scope=run["hhl_scope"],
        credentials_error=_credentials_error(env),
    )
    config.pluginmanager.register(CatalogMarkers(config), "hhl-catalog-markers")
    config.pluginmanager.register(PrerequisiteOrder(config), "hhl-prerequisites")
    config.pluginmanager.register(ResultCollector(config), "hhl-results")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistBridge(config), "hhl-xdist")
    if workerinput is None:
        _install_sigterm(config)


def _install_sigterm(config: pytest.Config) -> None:
    """SIGTERM (a CI cancel) and SIGINT (Ctrl-C) → KeyboardInterrupt, recorded first: the run finishes as
    interrupted (INCONCLUSIVE, sandbox down) however far the KeyboardInterrupt travels (a browser call may eat it)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        state = config.stash.get(RUN_STATE, None)
        name = signal.Signals(signum).name
        if state is not None and not state.interrupted:
            state.interrupted = f"interrupted by {name}" + (" (e.g. a CI cancel)" if signum == signal.SIGTERM else "")
        raise KeyboardInterrupt(name)

    config.stash[_PREVIOUS_HANDLERS] = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}


def _targets_suites(config: pytest.Config) -> bool:
    """Whether this invocation collects the gate's suites (not `pytest tests/...`, the project's own tests)."""
    suites = (config.rootpath / SUITES_DIR).resolve()
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == suites or suites in path.parents or path in suites.parents:
            return True
    return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Controller, kind local: start the run's sandbox now, tied to this process (it dies with it, SIGKILL too)."""
    state = run_state(session.config)
    config = session.config
    if state.is_worker or state.base_env.kind != "local" or state.sandbox_state or config.option.collectonly:
        return
    if not _targets_suites(config):
        return
    start_run_sandbox(state.shared_dir, state.sandbox_faults, PROJECT_ROOT)


def pytest_unconfigure(config: pytest.Config) -> None:
    for sig, previous in config.stash.get(_PREVIOUS_HANDLERS, {}).items():
        signal.signal(sig, previous)
    state = config.stash.get(RUN_STATE, None)
    if state is None or not state.owns_shared_dir:
        return
    stop_sandbox(state.shared_dir)
    shutil.rmtree(state.shared_dir, ignore_errors=True)


class XdistBridge:
    """xdist controller hooks: hand the run to each worker, collect the secrets each worker learnt."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        state = run_state(self.config)
        node.workerinput.update(
            hhl_run_id=state.run_id,
            hhl_run_dir=str(state.run_dir),
            hhl_shared_dir=str(state.shared_dir),
            hhl_started_at=state.started_at,
            hhl_scope=state.scope,
        )

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        worker_secrets = getattr(node, "workeroutput", {}).get("hhl_secrets", [])
        run_state(self.config).worker_secrets.update(worker_secrets)
