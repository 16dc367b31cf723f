"""Results: one CheckResult per item (built from its three phase reports, scrubbed of secrets before any reporter
sees them), merged in the controller (also from xdist workers), then the finish (documents, verdict, exit status)
and the gate's terminal section."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from checks.plugin.collection import is_suite_path
from checks.plugin.finish import FallbackOutcome, check_results, default_finish_run, run_info, summary_lines
from checks.plugin.hookspecs import RunOutcomeLike
from checks.plugin.outcomes import ItemOutcome, scrub_report, update_outcome
from checks.plugin.preflight import publish
from checks.plugin.sandbox import sandbox_state_file
from checks.plugin.state import ITEM_CHECK, ITEM_EVIDENCE, ITEM_OUTCOME, ItemCheck, RunState, run_state
from checks.redaction import redact_text
from checks.secrets import registered_secrets
from checks.vocabulary import ExitCode
from environments import Environment, EnvironmentFileError, load_environment
from reports.results import CheckResult, RunInfo
from reports.step_summary import run_annotations

_KEEP_PYTEST_STATUS = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)


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
        if check.publishes:
            publish(state.shared_dir, check.result_id, result.status, result.message)
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


@pytest.hookimpl(trylast=True)
def pytest_hhl_finish_run(
    run_dir: Path,
    run: RunInfo,
    checks: list[CheckResult],
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None,
) -> RunOutcomeLike:
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


def interruption(session: pytest.Session, state: RunState) -> str:
    """Why the run did not run to its end ("" when it did): a signal, -x/--maxfail, a suite that failed to
    collect, or a crash."""
    if state.interrupted:
        return state.interrupted
    if state.collection_errors:  # pytest stops before running anything: its INTERRUPTED status says no more
        names = ", ".join(state.collection_errors)
        return f"{len(state.collection_errors)} suite module(s) failed to collect: {names}"
    status = session.exitstatus
    if status == pytest.ExitCode.INTERRUPTED:
        return "interrupted (SIGINT / KeyboardInterrupt)"
    if status == pytest.ExitCode.INTERNAL_ERROR:
        return "the harness crashed (pytest internal error)"
    dsession = session.config.pluginmanager.get_plugin("dsession")
    stop = session.shouldstop or session.shouldfail or getattr(dsession, "shouldstop", False)
    return f"cut short: {stop}" if stop else ""


class ResultCollector:
    """Controller side (or the only process without xdist): gathers results, finishes the run, prints the gate."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        payload = getattr(report, "hhl_result", None)
        state = run_state(self.config)
        if payload is None or state.is_worker:
            return
        state.results.append(payload["result"])
        error = payload.get("environment_error")
        if error and error not in state.environment_errors:
            state.environment_errors.append(error)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A suite module that cannot be imported: the run is reported INCONCLUSIVE (never no report at all)."""
        state = run_state(self.config)
        if not report.failed or state.is_worker or not is_suite_path(Path(str(report.fspath)), self.config.rootpath):
            return
        if report.nodeid not in state.collection_errors:  # under xdist every worker reports the same module
            state.collection_errors.append(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        state = run_state(self.config)
        if state.is_worker:
            # The controller's redaction scan needs the secrets this worker learnt (session tokens).
            self.config.workeroutput["hhl_secrets"] = list(registered_secrets())  # type: ignore[attr-defined]
            return
        ran = state.results or state.collection_errors
        if not ran or session.exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        state.interrupted = interruption(session, state)
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
            session.exitstatus = ExitCode(state.outcome.exit_code)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state = run_state(self.config)
        if state.is_worker:
            return
        lines = summary_lines(state, state.environment_errors)
        if lines:
            terminalreporter.section("rollout gate")
            for text, markup in lines:
                terminalreporter.write_line(text, **markup)
        if os.environ.get("GITHUB_ACTIONS") == "true" and state.outcome is not None:
            # GitHub workflow commands: one annotation per finding, titled by its check id, scrubbed like the rest.
            secrets = sorted(set(registered_secrets()) | state.worker_secrets)
            outcome = state.outcome
            for line in run_annotations(state.run_dir, state.results, secrets, outcome.verdict, outcome.reasons):
                terminalreporter.write_line(line)
