"""Runs sharing one sandbox (`--sandbox-state`) take turns for their load checks (checks.plugin.sandbox)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from checks.errors import SandboxError
from checks.plugin.sandbox import measuring_alone


def test_a_second_run_waits_for_the_first_runs_measurement(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    holding, release = threading.Event(), threading.Event()

    def first_run() -> None:
        with measuring_alone(state):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first_run)
    thread.start()
    assert holding.wait(10)
    with pytest.raises(SandboxError, match="another run kept measuring"), measuring_alone(state, wait_s=0.3):
        pass
    release.set()
    with measuring_alone(state, wait_s=10) as waited:  # free again once the first run's block ended
        assert waited < 10
    thread.join(10)


def test_no_state_file_no_lock() -> None:
    with measuring_alone(None) as waited:
        assert waited == 0.0
