"""Hooks the gate plugin adds to pytest (registered in `pytest_addhooks`), and the outcome shape they return."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest

from reports.results import CheckResult, RunInfo


class RunOutcomeLike(Protocol):
    """What the gate reads of a finished run: reports.RunOutcome, or the plugin's FallbackOutcome."""

    @property
    def verdict(self) -> str: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def documents(self) -> list[Path]: ...


@pytest.hookspec(firstresult=True)
def pytest_hhl_finish_run(
    run_dir: Path,
    run: RunInfo,
    checks: list[CheckResult],
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None,
) -> RunOutcomeLike | None:
    """Turn the run's results into documents and a verdict (reports.RunOutcome). Called once, in the controller,
    at session end; the first implementation returning an outcome wins (None: pass to the next).

    The default implementation calls `reports.finish_run`; the project's tests implement it with a fake."""
