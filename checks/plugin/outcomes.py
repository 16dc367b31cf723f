"""From pytest's three phase reports to one outcome per item (SPEC §1), and the scrubbing that keeps secrets out
of every report pytest hands to the terminal, JUnit XML and Allure.

    passed (+ evidence.warn) → warning     AssertionError (incl. CheckFailure) → failed
    pytest.skip → skipped                  PreflightBlocked → blocked (shown to pytest as a skip)
    any other exception, in the test or a fixture (setup/teardown) → error
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pytest

from checks.errors import CLEAR_ERRORS, PreflightBlocked, SandboxError
from checks.redaction import excerpt, redact_text
from checks.vocabulary import Status

MAX_MESSAGE = 2000


@dataclass
class ItemOutcome:
    status: Status | Literal[""] = ""  # "" until a phase decides
    message: str = ""
    started_at: str = ""
    duration_s: float = 0.0
    environment_error: bool = False  # the environment itself is unusable (the sandbox did not come up)


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    if isinstance(excinfo.value, pytest.skip.Exception | pytest.fail.Exception):
        return excerpt(str(excinfo.value.msg), MAX_MESSAGE)
    text = str(excinfo.value).strip() or excinfo.typename
    if not isinstance(excinfo.value, (*CLEAR_ERRORS, AssertionError, pytest.fail.Exception)):
        text = f"{excinfo.typename}: {text}"
    return excerpt(text, MAX_MESSAGE)  # redacted before it is cut


def _status_of_exception(excinfo: pytest.ExceptionInfo[BaseException]) -> Status:
    if isinstance(excinfo.value, PreflightBlocked):
        return "blocked"
    if isinstance(excinfo.value, pytest.skip.Exception):
        return "skipped"
    return "failed" if isinstance(excinfo.value, AssertionError | pytest.fail.Exception) else "error"


def update_outcome(outcome: ItemOutcome, report: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
    """Fold one phase into the item's outcome; the first non-pass wins, a teardown crash spoils a pass."""
    if report.when == "setup":
        outcome.started_at = iso(call.start)
    outcome.duration_s += call.duration
    if call.excinfo is None:
        if report.when == "call" and report.passed and not outcome.status:
            outcome.status = "passed"
        return
    status = _status_of_exception(call.excinfo)
    outcome.environment_error |= isinstance(call.excinfo.value, SandboxError)
    if report.when == "teardown":
        if outcome.status in ("", "passed"):
            outcome.status, outcome.message = "error", f"teardown: {_message(call.excinfo)}"
        return
    if not outcome.status or outcome.status == "passed":
        outcome.status, outcome.message = status, _message(call.excinfo)


def scrub_report(report: pytest.TestReport, call: pytest.CallInfo[None], item: pytest.Item) -> None:
    """Redact what pytest will show and store: longrepr, captured sections and the exception itself (Allure reads
    `call.excinfo` directly). Harness errors keep their one-line message instead of a traceback."""
    if call.excinfo is not None:
        exc = call.excinfo.value
        if isinstance(exc, PreflightBlocked):
            report.outcome = "skipped"
            report.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"blocked: {redact_text(str(exc))}")
        elif isinstance(exc, CLEAR_ERRORS):
            report.longrepr = f"{type(exc).__name__}: {redact_text(str(exc))}"
        redacted_args = tuple(redact_text(a) if isinstance(a, str) else a for a in exc.args)
        if redacted_args != exc.args:
            exc.args = redacted_args
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        redacted = redact_text(text)
        if redacted != text:  # keep pytest's rich repr unless it held something sensitive
            report.longrepr = redacted
    elif isinstance(report.longrepr, tuple):
        path, lineno, reason = report.longrepr
        report.longrepr = (path, lineno, redact_text(reason))
    report.sections = [(title, redact_text(content)) for title, content in report.sections]
