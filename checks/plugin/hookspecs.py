"""Hooks the gate plugin adds to pytest (registered in `pytest_addhooks`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest


@pytest.hookspec(firstresult=True)
def pytest_hhl_finish_run(
    run_dir: Path,
    run: Any,
    checks: list[Any],
    environment: dict[str, Any],
    secrets: Sequence[str],
    baseline_dir: Path | None,
) -> Any:
    """Turn the run's results into documents and a verdict; return an object with `verdict`, `reasons`,
    `exit_code` and `documents` (reports.RunOutcome). Called once, in the controller, at session end.

    The default implementation calls `reports.finish_run`; the project's tests implement it with a fake."""
