"""Every hook implementation of the gate, in one place; the logic lives in the modules beside this one.

Lifecycle: configure (load the env file, run id, shared dir) → collection (check markers, catalog markers,
preflights first) → per item: setup policy (scope, writes, blocked) and one CheckResult built from the three phase
reports (scrubbed of secrets) → controller: merge results (also from xdist workers) → finish_run → verdict, exit.
"""

from __future__ import annotations

import datetime as dt
import secrets as random
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from checks.catalog import CATALOG
from checks.plugin import hookspecs
from checks.plugin.finish import FallbackOutcome, check_results, default_finish_run, run_info, summary_lines
from checks.plugin.options import add_options
from checks.plugin.outcomes import ItemOutcome, scrub_report, update_outcome
from checks.plugin.policy import ensure_writes_allowed, not_applicable_reason
from checks.plugin.preflight import blockers, preflight_order, publish, raise_if_blocked
from checks.plugin.sandbox import sandbox_state_file, stop_sandbox
from checks.plugin.state import (
    ITEM_CHECK,
    ITEM_EVIDENCE,
    ITEM_OUTCOME,
    RUN_STATE,
    GateExit,
    ItemCheck,
    RunState,
    run_state,
)
from checks.redaction import redact_text
from checks.secrets import REGISTRY, registered_secrets
from environments import Environment, EnvironmentFileError, load_environment
from reports.results import CheckResult

SUITES_DIR = "suites"
_WORKER_KEYS = ("hhl_run_id", "hhl_run_dir", "hhl_shared_dir", "hhl_started_at")
_KEEP_PYTEST_STATUS = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


# --- configure / unconfigure -------------------------------------------------------------------------------------


def _usage(condition: bool, message: str) -> None:
    if condition:
        raise pytest.UsageError(message)


def _new_run(env: Environment, config: pytest.Config) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    run_id = f"{env.name}-{now:%Y%m%dT%H%M%SZ}-{random.token_hex(3)}"
    report_dir = config.option.hhl_report_dir
    return {
        "hhl_run_id": run_id,
        "hhl_run_dir": str(Path(report_dir) if report_dir else config.rootpath / "verification-output" / run_id),
        "hhl_shared_dir": tempfile.mkdtemp(prefix="hhl-run-"),
        "hhl_started_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    try:
        env = load_environment(option.hhl_env)
    except EnvironmentFileError as exc:
        raise pytest.UsageError(str(exc)) from None
    sandbox_state = Path(option.hhl_sandbox_state) if option.hhl_sandbox_state else None
    faults = tuple(option.hhl_sandbox_faults)
    _usage(env.kind != "local" and bool(sandbox_state or faults), "--sandbox-state/--sandbox-fault need a local env")
    _usage(bool(sandbox_state and faults), "--sandbox-fault needs a sandbox started by the run, not --sandbox-state")
    _usage(bool(sandbox_state) and not sandbox_state.is_file(), f"--sandbox-state {sandbox_state}: no such file")
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
    )
    config.pluginmanager.register(_ResultCollector(config), "hhl-results")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistBridge(config), "hhl-xdist")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(RUN_STATE, None)
    if state is None or not state.owns_shared_dir:
        return
    stop_sandbox(state.shared_dir)
    shutil.rmtree(state.shared_dir, ignore_errors=True)


# --- collection ---------------------------------------------------------------------------------------------------


def _is_suite_item(item: pytest.Item, rootpath: Path) -> bool:
    try:
        return Path(item.path).resolve().relative_to(rootpath.resolve()).parts[0] == SUITES_DIR
    except (ValueError, IndexError):
        return False


def _check_id(item: pytest.Item) -> str | None:
    marks = list(item.iter_markers("check"))
    if len(marks) != 1:
        return None
    value = marks[0].args[0] if marks[0].args else marks[0].kwargs.get("id")
    return value if isinstance(value, str) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before `-m`/`-k` deselection: validate check markers, add the catalog markers, put preflights first."""
    suite = [item for item in items if _is_suite_item(item, config.rootpath)]
    problems = []
    for item in suite:
        check_id = _check_id(item)
        if check_id is None:
            count = len(list(item.iter_markers("check")))
            problems.append(f'{item.nodeid}: expected exactly one @pytest.mark.check("<id>"), found {count}')
        elif check_id not in CATALOG:
            problems.append(f"{item.nodeid}: check id {check_id!r} is not in checks/catalog.yaml")
        else:
            spec = CATALOG[check_id]
            callspec = getattr(item, "callspec", None)
            item.stash[ITEM_CHECK] = ItemCheck(spec, f"{spec.id}[{callspec.id}]" if callspec else spec.id)
            item.add_marker(pytest.mark.area(name=spec.area))
            item.add_marker(pytest.mark.severity(level=spec.severity))
            item.add_marker(pytest.mark.writes(kind=spec.writes))
    if problems:
        raise pytest.UsageError("suite tests without a valid check marker:\n  " + "\n  ".join(problems))
    if suite:
        run_state(config).active = True
        ordered = preflight_order(suite, {item: item.stash[ITEM_CHECK].spec for item in suite})
        items[:] = ordered + [item for item in items if item not in set(suite)]


def pytest_collection_finish(session: pytest.Session) -> None:
    """After deselection: each item's blockers among the preflights actually selected."""
    checks = [item.stash[ITEM_CHECK] for item in session.items if ITEM_CHECK in item.stash]
    preflights = [check.spec for check in checks if check.spec.is_preflight]
    for check in checks:
        check.blocked_by = blockers(check.spec, preflights)


# --- per item -----------------------------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture: not applicable → skipped; forbidden write → error; failed preflight → blocked."""
    check = item.stash.get(ITEM_CHECK, None)
    if check is None:
        return
    state = run_state(item.config)
    reason = not_applicable_reason(check.spec, state.base_env)
    if reason:
        pytest.skip(reason)
    ensure_writes_allowed(check.spec, state.base_env)
    raise_if_blocked(state.shared_dir, check.blocked_by)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Innermost wrapper, so JUnit, Allure and the terminal only ever see the scrubbed report."""
    report = yield
    check = item.stash.get(ITEM_CHECK, None)
    if check is not None:
        outcome = item.stash.setdefault(ITEM_OUTCOME, ItemOutcome())
        update_outcome(outcome, report, call)
    scrub_report(report, call, item)
    if check is not None and report.when == "teardown":
        state = run_state(item.config)
        result = _check_result(item, check, outcome, state.base_env)
        environment_error = _environment_error(check, result, outcome)
        # A plain attribute survives xdist's report serialisation; JUnit and Allure ignore it.
        report.hhl_result = {"result": result.to_json(), "environment_error": environment_error}
        if check.spec.is_preflight:
            publish(state.shared_dir, check.spec.id, result.status, result.message)
    return report


def _check_result(item: pytest.Item, check: ItemCheck, outcome: ItemOutcome, env: Environment) -> CheckResult:
    evidence = item.stash.get(ITEM_EVIDENCE, None)
    status, message = outcome.status or "error", outcome.message or ("" if outcome.status else "the check never ran")
    if status == "passed" and evidence is not None and evidence.warnings:
        status, message = "warning", "; ".join(evidence.warnings)
    spec = check.spec
    return CheckResult(
        id=check.result_id,
        area=spec.area,
        title=spec.display_title,
        severity=spec.severity,
        writes=spec.writes,
        status=status,
        known=status in ("failed", "warning") and env.profile in spec.known_profiles,
        started_at=outcome.started_at,
        duration_ms=round(outcome.duration_s * 1000),
        expected=evidence.expected if evidence else None,
        actual=evidence.actual if evidence else None,
        message=message,
        evidence=evidence.files() if evidence else [],
        nodeid=item.nodeid,
        check_id=spec.id,
    )


def _environment_error(check: ItemCheck, result: CheckResult, outcome: ItemOutcome) -> str | None:
    if outcome.environment_error or (check.spec.is_preflight and result.status in ("failed", "error")):
        return f"{result.id}: {result.message}"
    return None


# --- session end --------------------------------------------------------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_hhl_finish_run(
    run_dir: Path,
    run: Any,
    checks: list[Any],
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None,
) -> Any:
    return default_finish_run(run_dir, run, checks, environment, secrets, baseline_dir)


def _final_env(state: RunState) -> Environment:
    """The env as the checks saw it (kind local: with the sandbox's URLs), for targets and the report appendix."""
    state_file = state.sandbox_state or sandbox_state_file(state.shared_dir)
    if state.base_env.kind != "local" or state_file is None:
        return state.base_env
    try:
        return load_environment(state.env_arg, sandbox_state=state_file)
    except EnvironmentFileError:
        return state.base_env


class _ResultCollector:
    """Controller side (or the only process without xdist): gathers results, finishes the run, prints the gate."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.environment_errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "hhl_result", None)
        state = run_state(self.config)
        if payload is None or state.is_worker:
            return
        state.results.append(payload["result"])
        error = payload.get("environment_error")
        if error and error not in self.environment_errors:
            self.environment_errors.append(error)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        state = run_state(self.config)
        if state.is_worker:
            # The controller's redaction scan needs the secrets this worker learnt (session tokens).
            self.config.workeroutput["hhl_secrets"] = list(registered_secrets())  # type: ignore[attr-defined]
            return
        if not state.results or session.exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        env = _final_env(state)
        secrets = sorted(set(registered_secrets()) | state.worker_secrets)
        try:
            state.outcome = self.config.hook.pytest_hhl_finish_run(
                run_dir=state.run_dir,
                run=run_info(state, env, time.time()),
                checks=check_results(state.results),
                environment=env.public_dict(),
                secrets=secrets,
                baseline_dir=state.baseline,
            )
        except Exception as exc:  # a crash in rendering must never leave a GO behind
            reason = redact_text(f"finishing the run failed: {type(exc).__name__}: {exc}", secrets)
            state.outcome = FallbackOutcome(reasons=[reason])
        if session.exitstatus not in _KEEP_PYTEST_STATUS:
            session.exitstatus = GateExit(state.outcome.exit_code)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state = run_state(self.config)
        if state.is_worker:
            return
        lines = summary_lines(state, self.environment_errors)
        if lines:
            terminalreporter.section("rollout gate")
            for text, markup in lines:
                terminalreporter.write_line(text, **markup)


class _XdistBridge:
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
        )

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        secrets = getattr(node, "workeroutput", {}).get("hhl_secrets", [])
        run_state(self.config).worker_secrets.update(secrets)
