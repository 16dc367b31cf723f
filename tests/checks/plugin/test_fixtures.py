"""checks.plugin.fixtures: the fuzzer's session is its own user's, or the run's session when the user is the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks.plugin import fixtures
from checks.users import UserCredentials

SESSION_USER = UserCredentials("learner-1", "pw-1")


class FakeRequest:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def getfixturevalue(self, name: str) -> Any:
        return self.values[name]


def _fuzz_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fuzz_user: UserCredentials) -> tuple[Any, list[str]]:
    signed_in: list[str] = []
    monkeypatch.setattr(fixtures, "_signed_in", lambda env, user, *rest: signed_in.append(user.username) or "own")
    request = FakeRequest({"test_user": SESSION_USER, "session": "the run's session"})
    body = fixtures.fuzz_session.__wrapped__  # the fixture's function, outside pytest's fixture machinery
    return body(request, None, fuzz_user, tmp_path, None, None), signed_in


def test_the_fuzzer_signs_in_as_its_own_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    session, signed_in = _fuzz_session(monkeypatch, tmp_path, UserCredentials("learner-3", "pw-3"))
    assert session == "own" and signed_in == ["learner-3"]


def test_one_reserved_user_reuses_the_run_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    session, signed_in = _fuzz_session(monkeypatch, tmp_path, UserCredentials("learner-1", "pw-1"))
    assert session == "the run's session" and signed_in == []
