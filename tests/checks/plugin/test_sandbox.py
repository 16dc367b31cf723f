"""checks.plugin.sandbox: how long a run waits for its sandbox, and what it says when the sandbox is not up by then."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.errors import SandboxError
from checks.plugin.sandbox import START_TIMEOUT_ENV, START_TIMEOUT_S, ensure_sandbox, start_timeout_s

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_the_bound_is_the_default_unless_the_variable_sets_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(START_TIMEOUT_ENV, raising=False)
    assert start_timeout_s() == START_TIMEOUT_S
    monkeypatch.setenv(START_TIMEOUT_ENV, "240")
    assert start_timeout_s() == 240.0


@pytest.mark.parametrize("raw", ["", "soon", "0", "-5", "nan", "inf"])
def test_a_bad_bound_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(START_TIMEOUT_ENV, raw)
    with pytest.raises(SandboxError, match=f"^{START_TIMEOUT_ENV}=.* is not a positive number of seconds$"):
        start_timeout_s()


def test_a_sandbox_not_up_within_the_bound_is_an_error_that_names_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(START_TIMEOUT_ENV, "0.2")  # no sandbox writes its state file this soon
    with pytest.raises(SandboxError, match=f"within 0.2 s \\({START_TIMEOUT_ENV} sets the bound\\)"):
        ensure_sandbox(tmp_path, faults=(), cwd=REPO_ROOT)
    assert not (tmp_path / "sandbox-state.json").exists()
